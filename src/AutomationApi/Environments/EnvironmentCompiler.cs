using System.Collections.Immutable;
using Platform.Components;
using Platform.Components.Costs;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.AutomationApi.Environments;

/// <summary>A spec that parsed, validated, compiled and passed the guardrails: what the engine deploys.</summary>
/// <param name="Spec">The spec.</param>
/// <param name="Plan">The resource plan for the spec's target.</param>
/// <param name="Program">The rendered Pulumi YAML program and stack settings.</param>
/// <param name="Policies">The guardrail report (advisory violations only: mandatory ones block compilation).</param>
/// <param name="Cost">The plan's estimated monthly cost.</param>
public sealed record CompiledEnvironment(EnvironmentSpec Spec, ResourcePlan Plan, RenderedProgram Program, PolicyReport Policies, CostEstimate Cost)
{
    /// <summary>
    /// Every secret value this environment knows: spec secret env values and secret stack config, each also in the
    /// form it is handed to the engine (<see cref="PulumiYamlConfig.StackValue"/>), so neither form is ever shown.
    /// </summary>
    public IEnumerable<string> Secrets =>
        Spec.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret).Select(v => v.Value)
            .Concat(Plan.StackConfig.Values.Where(v => v.Secret).Select(v => v.Value))
            .SelectMany(v => new[] { v, PulumiYamlConfig.StackValue(v) })
            .Distinct(StringComparer.Ordinal);
}

/// <summary>The outcome of compiling a spec: the environment, or every error found.</summary>
/// <param name="Environment">The compiled environment, when there were no errors.</param>
/// <param name="Errors">Structural, semantic, guardrail and policy errors, with their paths.</param>
public sealed record CompileResult(CompiledEnvironment? Environment, ImmutableArray<SpecError> Errors);

/// <summary>Renders a resource plan as a Pulumi program.</summary>
public interface IProgramRenderer
{
    /// <summary>The program (<c>Pulumi.yaml</c>) and stack settings of <paramref name="plan"/>.</summary>
    RenderedProgram Render(ResourcePlan plan);
}

/// <summary>
/// Spec text → <see cref="EnvironmentPipeline"/> (parse, validate against the targets and tier guardrails, compile,
/// policy guardrails, cost estimate) → Pulumi YAML program; a mandatory policy violation is an error like any other. The same pipeline the CLI runs, so the service deploys
/// exactly what the CLI previews.
/// </summary>
public sealed class EnvironmentCompiler(TargetSettings targets, PolicySettings policies, IProgramRenderer renderer)
{
    /// <summary>The configured deployment targets.</summary>
    public TargetSettings Targets => targets;

    /// <summary>Parses and validates <paramref name="specText"/> (JSON or YAML) and, when valid, compiles and renders it.</summary>
    public CompileResult Compile(string specText) => Compile(specText, gated: true);

    /// <summary>
    /// Compiles the spec an environment is already deployed with, for operations that work from the stack's state
    /// (destroy, refresh): without the mandatory-policy gate and the target-settings check. Those guard new
    /// deployments; a policy or target change made since must never keep an environment from being torn down.
    /// </summary>
    public CompileResult CompileDeployed(string specText) => Compile(specText, gated: false);

    /// <summary>Validates and, when valid, compiles and renders a spec already parsed (and checked against the limits).</summary>
    public CompileResult Compile(EnvironmentSpec spec) => Compile(EnvironmentPipeline.Run(spec, targets, policies), gated: true);

    /// <summary>
    /// Every error <see cref="Compile(EnvironmentSpec)"/> would report for a parsed spec (validation, target,
    /// mandatory guardrails, target settings), without estimating the cost or rendering the program: what a request
    /// checks before it is accepted; the operation compiles the spec in full when it runs.
    /// </summary>
    public ImmutableArray<SpecError> Check(EnvironmentSpec spec) => Inspect(spec).Errors;

    /// <summary>
    /// <see cref="Check"/>, keeping the plan it compiled: priced (<see cref="EnvironmentPipeline.EstimateCost"/>) for a
    /// quota, or completed (<see cref="Complete"/>) for the operation that deploys it, without compiling again.
    /// </summary>
    public SpecInspection Inspect(EnvironmentSpec spec) => EnvironmentPipeline.Inspect(spec, targets, policies);

    /// <summary>
    /// The compiled environment of a spec <see cref="Inspect"/> found deployable: its plan priced and rendered, as
    /// <see cref="Compile(EnvironmentSpec)"/> would return it, without compiling the spec again.
    /// </summary>
    public CompileResult Complete(SpecInspection inspection)
    {
        ArgumentNullException.ThrowIfNull(inspection);
        return inspection.Complete() is { } result ? Compile(result, gated: true) : new CompileResult(null, inspection.Errors);
    }

    private CompileResult Compile(string specText, bool gated) => Compile(EnvironmentPipeline.Run(specText ?? string.Empty, targets, policies), gated);

    private CompileResult Compile(PipelineResult result, bool gated)
    {
        if (!result.Succeeded)
        {
            return new CompileResult(null, result.Errors);
        }

        // Nobody can set stack config through the API, so a key the target lacks would only fail `pulumi up` later.
        if (gated && result.GateErrors() is { IsEmpty: false } blocked)
        {
            return new CompileResult(null, blocked);
        }

        return new CompileResult(new CompiledEnvironment(result.Spec, result.Plan, renderer.Render(result.Plan), result.Policy, result.Cost), []);
    }

    /// <summary>Parses only (for reading stored specs back).</summary>
    public static SpecParseResult Parse(string specText) => SpecParser.Parse(specText ?? string.Empty);
}
