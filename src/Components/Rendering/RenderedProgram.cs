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
/// <param name="UnsetConfigKeys">
/// Plain config keys the program declares with neither a default nor a value from the target (e.g. <c>vpcId</c> on a
/// target that names no VPC): set each as <see cref="UnsetConfigCommands"/> shows, or add it to the target.
/// In declaration order.
/// </param>
/// <param name="ListConfigKeys">
/// Config keys that hold a list, carried as its items joined by <see cref="PulumiYamlConfig.ListDelimiter"/>
/// (e.g. <c>subnet-1,subnet-2</c>). In declaration order.
/// </param>
public sealed record RenderedProgram(
    string ProjectName,
    string StackName,
    string Program,
    string? StackSettings,
    ImmutableArray<string> SecretConfigKeys,
    ImmutableArray<string> UnsetConfigKeys,
    ImmutableArray<string> ListConfigKeys)
{
    /// <summary>
    /// How a value set by hand must be written, for <see cref="SecretConfigCommands"/> and <see cref="UnsetConfigCommands"/>:
    /// Pulumi YAML reads a value that looks like a number, a bool or JSON as that, so a value is written as a JSON
    /// string in double quotes (<c>"0042"</c>, <c>"123456789012"</c>); one starting with a letter may go without.
    /// </summary>
    public const string ValueNote =
        "Write each value as a JSON string in double quotes (e.g. \"123456789012\"): Pulumi YAML reads a bare value that looks like a number, a bool or JSON as that, not as text.";

    /// <summary>File name of the program: <c>Pulumi.yaml</c>.</summary>
    public const string ProgramFileName = "Pulumi.yaml";

    /// <summary>File name of the stack settings: <c>Pulumi.&lt;stack&gt;.yaml</c>.</summary>
    public string StackSettingsFileName => $"Pulumi.{StackName}.yaml";

    /// <summary>
    /// The commands that set the secret config values, without values: Pulumi prompts for each (write it as
    /// <see cref="ValueNote"/> says). They work as printed on the real CLI.
    /// </summary>
    public IEnumerable<string> SecretConfigCommands =>
        SecretConfigKeys.Select(key => $"pulumi config set --secret --stack {StackName} {key}");

    /// <summary>
    /// The commands that set the <see cref="UnsetConfigKeys"/>, with a placeholder value in single quotes (so a shell
    /// takes <c>&lt;</c> literally): <c>pulumi config set --stack s vpcId '"&lt;value&gt;"'</c>; a list key takes
    /// its items joined by <see cref="PulumiYamlConfig.ListDelimiter"/>. Replace the placeholder, keeping the quotes.
    /// </summary>
    public IEnumerable<string> UnsetConfigCommands =>
        UnsetConfigKeys.Select(key => ListConfigKeys.Contains(key)
            ? $"pulumi config set --stack {StackName} {key} '\"<item>{PulumiYamlConfig.ListDelimiter}<item>\"'"
            : $"pulumi config set --stack {StackName} {key} '\"<value>\"'");

    /// <inheritdoc />
    public bool Equals(RenderedProgram? other) =>
        other is not null && ProjectName == other.ProjectName && StackName == other.StackName &&
        Program == other.Program && StackSettings == other.StackSettings && SecretConfigKeys.SequenceEqual(other.SecretConfigKeys) &&
        UnsetConfigKeys.SequenceEqual(other.UnsetConfigKeys) && ListConfigKeys.SequenceEqual(other.ListConfigKeys);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ProjectName, StackName, Program, StackSettings);
}
