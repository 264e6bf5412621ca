using System.Collections.Immutable;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components;

/// <summary>
/// Spec text to resource plan, the one way: parse (JSON or YAML) → validate against the targets and the tier's
/// guardrails → look up the target → compile. The CLI and the Automation API both run this, so what the CLI previews
/// is what the service deploys.
/// </summary>
public static class EnvironmentPipeline
{
    /// <summary>Runs the pipeline on spec text; every structural or semantic error is reported, none thrown.</summary>
    public static PipelineResult Run(string specText, TargetSettings targets)
    {
        ArgumentNullException.ThrowIfNull(specText);
        ArgumentNullException.ThrowIfNull(targets);
        var parsed = SpecParser.Parse(specText);
        return parsed.Spec is null ? new PipelineResult(null, null, null, parsed.Errors) : Run(parsed.Spec, targets);
    }

    /// <summary>Runs the pipeline from validation on, for a spec already parsed.</summary>
    public static PipelineResult Run(EnvironmentSpec spec, TargetSettings targets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(targets);
        var errors = SpecValidator.Validate(spec, targets);
        if (!errors.IsEmpty)
        {
            return new PipelineResult(spec, null, null, errors);
        }

        if (!targets.TryGet(spec.Target, out var target))
        {
            return new PipelineResult(spec, null, null,
                [new SpecError("spec.target", $"No deployment target is named '{spec.Target}'.", $"Use one of: {string.Join(", ", targets.Names)}.")]);
        }

        return new PipelineResult(spec, target, PlanCompiler.Compile(spec, target), []);
    }
}

/// <summary>The outcome of <see cref="EnvironmentPipeline"/>: a plan, or every error found.</summary>
/// <param name="Spec">The parsed spec, when the text parsed.</param>
/// <param name="Target">The deployment target, when the spec was valid.</param>
/// <param name="Plan">The compiled plan, when the spec was valid.</param>
/// <param name="Errors">Structural and semantic errors with their paths and fixes; empty when <see cref="Plan"/> is set.</param>
public sealed record PipelineResult(
    EnvironmentSpec? Spec,
    DeploymentTarget? Target,
    ResourcePlan? Plan,
    ImmutableArray<SpecError> Errors)
{
    /// <summary>Whether the spec compiled to a plan.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Plan), nameof(Spec), nameof(Target))]
    public bool Succeeded => Plan is not null && Spec is not null && Target is not null;
}
