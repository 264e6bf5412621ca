using System.Collections.Immutable;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.AutomationApi.Environments;

/// <summary>A spec that parsed, validated and compiled: what the engine deploys.</summary>
/// <param name="Spec">The spec.</param>
/// <param name="Plan">The resource plan for the spec's target.</param>
/// <param name="Program">The rendered Pulumi YAML program and stack settings.</param>
public sealed record CompiledEnvironment(EnvironmentSpec Spec, ResourcePlan Plan, RenderedProgram Program)
{
    /// <summary>Every secret value this environment knows: spec secret env values and secret stack config.</summary>
    public IEnumerable<string> Secrets =>
        Spec.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret).Select(v => v.Value)
            .Concat(Plan.StackConfig.Values.Where(v => v.Secret).Select(v => v.Value));
}

/// <summary>The outcome of compiling a spec: the environment, or every error found.</summary>
/// <param name="Environment">The compiled environment, when there were no errors.</param>
/// <param name="Errors">Structural, semantic and guardrail errors, with their paths.</param>
public sealed record CompileResult(CompiledEnvironment? Environment, ImmutableArray<SpecError> Errors);

/// <summary>Renders a resource plan as a Pulumi program.</summary>
public interface IProgramRenderer
{
    /// <summary>The program (<c>Pulumi.yaml</c>) and stack settings of <paramref name="plan"/>.</summary>
    RenderedProgram Render(ResourcePlan plan);
}

/// <summary>
/// Spec text → parsed spec → validated against the configured targets and tier guardrails → resource plan →
/// Pulumi YAML program. The same pipeline the CLI runs, so the service deploys exactly what the CLI previews.
/// </summary>
public sealed class EnvironmentCompiler(TargetSettings targets, IProgramRenderer renderer)
{
    /// <summary>The configured deployment targets.</summary>
    public TargetSettings Targets => targets;

    /// <summary>Parses and validates <paramref name="specText"/> (JSON or YAML) and, when valid, compiles and renders it.</summary>
    public CompileResult Compile(string specText)
    {
        var parsed = Parse(specText);
        if (parsed.Spec is null)
        {
            return new CompileResult(null, parsed.Errors);
        }

        var errors = SpecValidator.Validate(parsed.Spec, targets);
        if (!errors.IsEmpty)
        {
            return new CompileResult(null, errors);
        }

        if (!targets.TryGet(parsed.Spec.Target, out var target))
        {
            return new CompileResult(null,
                [new SpecError("spec.target", $"Unknown deployment target '{parsed.Spec.Target}'.", $"Use one of: {string.Join(", ", targets.Names)}.")]);
        }

        var plan = PlanCompiler.Compile(parsed.Spec, target);
        return new CompileResult(new CompiledEnvironment(parsed.Spec, plan, renderer.Render(plan)), []);
    }

    /// <summary>Parses only (for reading stored specs back).</summary>
    public static SpecParseResult Parse(string specText) => SpecParser.Parse(specText ?? string.Empty);
}
