using System.Collections.Immutable;

namespace Platform.Components.Rendering;

/// <summary>A plan rendered as a Pulumi YAML program: the files to write and the secrets left to set.</summary>
/// <param name="ProjectName">The Pulumi project name (see <see cref="PulumiYamlRenderer.ProjectName"/>).</param>
/// <param name="StackName">The stack the settings are for: the environment's name.</param>
/// <param name="Program">The text of <c>Pulumi.yaml</c>.</param>
/// <param name="StackSettings">
/// The text of <c>Pulumi.&lt;stack&gt;.yaml</c> with the stack's non-secret config values, or <see langword="null"/>
/// when the plan has none. Secret values are never in it.
/// </param>
/// <param name="SecretConfigKeys">
/// Config keys whose values are secret: set each with <c>pulumi config set --secret &lt;key&gt;</c>. Sorted ordinally.
/// </param>
public sealed record RenderedProgram(
    string ProjectName,
    string StackName,
    string Program,
    string? StackSettings,
    ImmutableArray<string> SecretConfigKeys)
{
    /// <summary>File name of the program: <c>Pulumi.yaml</c>.</summary>
    public const string ProgramFileName = "Pulumi.yaml";

    /// <summary>File name of the stack settings: <c>Pulumi.&lt;stack&gt;.yaml</c>.</summary>
    public string StackSettingsFileName => $"Pulumi.{StackName}.yaml";

    /// <summary>The commands that set the secret config values, without values (Pulumi prompts for them).</summary>
    public IEnumerable<string> SecretConfigCommands =>
        SecretConfigKeys.Select(key => $"pulumi config set --secret --stack {StackName} {key}");

    /// <inheritdoc />
    public bool Equals(RenderedProgram? other) =>
        other is not null && ProjectName == other.ProjectName && StackName == other.StackName &&
        Program == other.Program && StackSettings == other.StackSettings && SecretConfigKeys.SequenceEqual(other.SecretConfigKeys);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ProjectName, StackName, Program, StackSettings);
}
