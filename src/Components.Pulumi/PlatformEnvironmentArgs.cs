using Platform.Components.Policies;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Pulumi;

/// <summary>
/// What a <see cref="PlatformEnvironment"/> provisions: an environment spec, given exactly one way (the spec itself,
/// its YAML/JSON text, or a file path), and where it goes.
/// </summary>
public sealed class PlatformEnvironmentArgs
{
    /// <summary>The parsed spec.</summary>
    public EnvironmentSpec? Spec { get; init; }

    /// <summary>The spec as YAML or JSON text.</summary>
    public string? SpecText { get; init; }

    /// <summary>Path of a YAML or JSON spec file; a relative path is resolved against the current directory.</summary>
    public string? SpecPath { get; init; }

    /// <summary>
    /// The deployment target (cluster and cloud account) to provision into. When set, it replaces the target the spec
    /// names. The default, <see langword="null"/>, means <see cref="DeploymentTarget.Default"/> (current kubeconfig
    /// context, default AWS credentials), and then the spec must name the <c>default</c> target.
    /// </summary>
    public DeploymentTarget? Target { get; init; }

    /// <summary>
    /// Which advisory guardrails are switched off per tier (the platform's policy settings file). The default,
    /// <see langword="null"/>, means <see cref="PolicySettings.Default"/>: every guardrail on. Mandatory guardrails
    /// always apply: a plan that breaks one fails the program, as the CLI and the Automation API refuse it.
    /// </summary>
    public PolicySettings? Policies { get; init; }

    /// <summary>Parses (when needed) and validates the spec for the target.</summary>
    /// <exception cref="ArgumentException">Not exactly one of <see cref="Spec"/>, <see cref="SpecText"/> and <see cref="SpecPath"/> is set.</exception>
    /// <exception cref="EnvironmentSpecException">The spec cannot be parsed or breaks a rule.</exception>
    internal (EnvironmentSpec Spec, DeploymentTarget Target) Resolve()
    {
        var given = new object?[] { Spec, SpecText, SpecPath }.Count(v => v is not null);
        if (given != 1)
        {
            throw new ArgumentException($"Give the environment spec exactly one way: {nameof(Spec)}, {nameof(SpecText)} or {nameof(SpecPath)} ({given} were set).");
        }

        var (spec, source) = Spec is not null
            ? (Spec, "(in code)")
            : SpecText is not null
                ? (Parse(SpecText, "(text)"), "(text)")
                : (Parse(File.ReadAllText(SpecPath!), SpecPath!), SpecPath!);

        var target = Target ?? DeploymentTarget.Default;
        if (Target is not null)
        {
            spec = spec with { Target = target.Name };
        }

        var errors = SpecValidator.Validate(spec, TargetSettings.From([target]));
        return errors.IsEmpty ? (spec, target) : throw new EnvironmentSpecException(source, errors);
    }

    /// <summary>
    /// Runs the one gated pipeline the CLI and the Automation API run (<see cref="EnvironmentPipeline"/>): validation,
    /// compilation, guardrail policies, and the gates of <see cref="PipelineResult.GateErrors"/>.
    /// </summary>
    /// <param name="isSetOnStack">Whether the stack sets a config key itself (then the target need not).</param>
    /// <exception cref="ArgumentException">Not exactly one of <see cref="Spec"/>, <see cref="SpecText"/> and <see cref="SpecPath"/> is set.</exception>
    /// <exception cref="EnvironmentSpecException">The spec is invalid, or its plan is blocked: the same errors the CLI and API report.</exception>
    internal PipelineResult Compile(Func<string, bool> isSetOnStack)
    {
        ArgumentNullException.ThrowIfNull(isSetOnStack);
        var (spec, target) = Resolve();
        var source = SpecPath ?? (SpecText is not null ? "(text)" : "(in code)");
        var result = EnvironmentPipeline.Run(spec, TargetSettings.From([target]), Policies);
        if (!result.Succeeded)
        {
            throw new EnvironmentSpecException(source, result.Errors);
        }

        var blocked = result.GateErrors(isSetOnStack);
        return blocked.IsEmpty ? result : throw new EnvironmentSpecException(source, blocked);
    }

    private static EnvironmentSpec Parse(string text, string source)
    {
        var result = SpecParser.Parse(text);
        return result.Spec is { } spec && result.Errors.IsEmpty ? spec : throw new EnvironmentSpecException(source, result.Errors);
    }
}
