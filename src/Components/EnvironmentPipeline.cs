using System.Collections.Immutable;
using System.Diagnostics;
using Platform.Components.Costs;
using Platform.Components.Costs.Prices;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components;

/// <summary>
/// Spec text to resource plan, the one way: parse (JSON or YAML) → validate against the targets and the tier's
/// guardrails → look up the target → compile → run the guardrail policies on the plan → estimate its monthly cost.
/// The CLI, the Automation API and the .NET binding (and so the platform stacks) all run this, and all refuse a plan
/// that fails <see cref="PipelineResult.GateErrors"/>, so what the CLI previews is what every way in deploys.
/// </summary>
public static class EnvironmentPipeline
{
    /// <summary>
    /// The name of the pipeline's <see cref="ActivitySource"/>: each compilation of a spec to a plan is an activity
    /// named <see cref="CompileActivity"/> (listen to it to see where plans are compiled, and how often).
    /// </summary>
    public const string ActivitySourceName = "Platform.Components";

    /// <summary>The activity of one compilation of a spec to a resource plan.</summary>
    public const string CompileActivity = "plan.compile";

    private static readonly ActivitySource Source = new(ActivitySourceName);
    private static readonly Lazy<PriceTable> Prices = new(PriceTable.Load);

    /// <summary>Runs the pipeline on spec text; every structural or semantic error is reported, none thrown.</summary>
    /// <param name="specText">The spec, YAML or JSON.</param>
    /// <param name="targets">The deployment targets.</param>
    /// <param name="policies">Which advisory guardrails are off per tier; <see cref="PolicySettings.Default"/> when null.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (spec text or a parsed spec), so no call is ambiguous.")]
    public static PipelineResult Run(string specText, TargetSettings targets, PolicySettings? policies = null)
    {
        ArgumentNullException.ThrowIfNull(specText);
        ArgumentNullException.ThrowIfNull(targets);
        var parsed = SpecParser.Parse(specText);
        return parsed.Spec is null ? PipelineResult.Failed(null, Errors(parsed, targets)) : Run(parsed.Spec, targets, policies);
    }

    /// <summary>
    /// Every problem of a spec that did not parse, found in one pass: its structural errors, then what validation finds
    /// in the rest of it (a misspelt field does not hide a bad image elsewhere). Empty when it parsed.
    /// </summary>
    /// <param name="parsed">The parse result.</param>
    /// <param name="targets">The deployment targets the spec is checked against.</param>
    public static ImmutableArray<SpecError> Errors(SpecParseResult parsed, TargetSettings targets)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(targets);
        return parsed.Draft is { } draft
            ? [.. parsed.Errors, .. SpecValidator.Validate(draft.Spec, targets, draft)]
            : parsed.Errors;
    }

    /// <summary>Runs the pipeline from validation on, for a spec already parsed.</summary>
    /// <inheritdoc cref="Run(string, TargetSettings, PolicySettings?)" path="/param"/>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (spec text or a parsed spec), so no call is ambiguous.")]
    public static PipelineResult Run(EnvironmentSpec spec, TargetSettings targets, PolicySettings? policies = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(targets);
        var errors = SpecValidator.Validate(spec, targets);
        if (!errors.IsEmpty)
        {
            return PipelineResult.Failed(spec, errors);
        }

        if (!targets.TryGet(spec.Target, out var target))
        {
            return PipelineResult.Failed(spec, [NoSuchTarget(spec, targets)]);
        }

        var plan = Compile(spec, target);
        return new PipelineResult(spec, target, plan, [],
            PolicyEngine.Evaluate(plan, policies ?? PolicySettings.Default),
            CostEstimator.Estimate(plan, Prices.Value));
    }

    /// <summary>
    /// Every error <see cref="Run(EnvironmentSpec, TargetSettings, PolicySettings?)"/> and then
    /// <see cref="PipelineResult.GateErrors"/> would report for a parsed spec (validation, the target, mandatory
    /// guardrails, the target's settings), found the same way but without estimating the cost: what a service checks
    /// before it accepts a spec it compiles in full when it deploys it. Empty when the spec may be deployed.
    /// </summary>
    /// <param name="spec">The parsed spec.</param>
    /// <param name="targets">The deployment targets.</param>
    /// <param name="policies">Which advisory guardrails are off per tier; <see cref="PolicySettings.Default"/> when null.</param>
    public static ImmutableArray<SpecError> Check(EnvironmentSpec spec, TargetSettings targets, PolicySettings? policies = null) =>
        Inspect(spec, targets, policies).Errors;

    /// <summary>
    /// <see cref="Check"/>, keeping what it built: the plan and its guardrail report, when the spec compiled, so a
    /// caller that also needs the cost (<see cref="EstimateCost"/>) or the whole result
    /// (<see cref="SpecInspection.Complete"/>) does not compile the spec again.
    /// </summary>
    /// <inheritdoc cref="Check" path="/param"/>
    public static SpecInspection Inspect(EnvironmentSpec spec, TargetSettings targets, PolicySettings? policies = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(targets);
        var errors = SpecValidator.Validate(spec, targets);
        if (!errors.IsEmpty)
        {
            return new SpecInspection(spec, errors, null, null, null);
        }

        if (!targets.TryGet(spec.Target, out var target))
        {
            return new SpecInspection(spec, [NoSuchTarget(spec, targets)], null, null, null);
        }

        var plan = Compile(spec, target);
        var policy = PolicyEngine.Evaluate(plan, policies ?? PolicySettings.Default);
        return new SpecInspection(spec, PipelineResult.Gate(policy, plan, target, isSetOnStack: null), target, plan, policy);
    }

    /// <summary>The estimated monthly cost of a compiled plan, priced as <see cref="Run(EnvironmentSpec, TargetSettings, PolicySettings?)"/> prices it.</summary>
    /// <param name="plan">The plan.</param>
    public static CostEstimate EstimateCost(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return CostEstimator.Estimate(plan, Prices.Value);
    }

    private static ResourcePlan Compile(EnvironmentSpec spec, DeploymentTarget target)
    {
        using var activity = Source.StartActivity(CompileActivity);
        activity?.SetTag("platform.environment", spec.Name);
        return PlanCompiler.Compile(spec, target);
    }

    private static SpecError NoSuchTarget(EnvironmentSpec spec, TargetSettings targets) =>
        new("spec.target", $"No deployment target is named '{spec.Target}'.", $"Use one of: {string.Join(", ", targets.Names)}.");
}

/// <summary>
/// What <see cref="EnvironmentPipeline.Inspect"/> found: every error that refuses the spec, and what it built on the
/// way — the target, the plan and its guardrail report — when the spec compiled (a plan may still be refused by a
/// mandatory guardrail or missing target settings: see <see cref="Errors"/>).
/// </summary>
/// <param name="Spec">The spec.</param>
/// <param name="Errors">Why the spec must not be deployed; empty when it may be.</param>
/// <param name="Target">The deployment target, when the spec was valid.</param>
/// <param name="Plan">The compiled plan, when the spec was valid.</param>
/// <param name="Policy">The guardrail report on the plan, when there is a plan.</param>
public sealed record SpecInspection(EnvironmentSpec Spec, ImmutableArray<SpecError> Errors, DeploymentTarget? Target, ResourcePlan? Plan, PolicyReport? Policy)
{
    /// <summary>
    /// The full pipeline result of a spec that may be deployed — the plan and guardrail report found here, priced —
    /// as <see cref="EnvironmentPipeline.Run(EnvironmentSpec, TargetSettings, PolicySettings?)"/> would return it, without
    /// compiling again. <see langword="null"/> when there are errors.
    /// </summary>
    public PipelineResult? Complete() =>
        Errors.IsEmpty && Target is { } target && Plan is { } plan && Policy is { } policy
            ? new PipelineResult(Spec, target, plan, [], policy, EnvironmentPipeline.EstimateCost(plan))
            : null;
}

/// <summary>The outcome of <see cref="EnvironmentPipeline"/>: a plan with its policy report and cost, or every error found.</summary>
/// <param name="Spec">The parsed spec, when the text parsed.</param>
/// <param name="Target">The deployment target, when the spec was valid.</param>
/// <param name="Plan">The compiled plan, when the spec was valid.</param>
/// <param name="Errors">Structural and semantic errors with their paths and fixes; empty when <see cref="Plan"/> is set.</param>
/// <param name="Policy">The guardrail report on the plan, when there is a plan.</param>
/// <param name="Cost">The plan's estimated monthly cost, when there is a plan.</param>
public sealed record PipelineResult(
    EnvironmentSpec? Spec,
    DeploymentTarget? Target,
    ResourcePlan? Plan,
    ImmutableArray<SpecError> Errors,
    PolicyReport? Policy,
    CostEstimate? Cost)
{
    /// <summary>Whether the spec compiled to a plan (which may still be blocked by a mandatory policy: see <see cref="IsBlocked"/>).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Plan), nameof(Spec), nameof(Target), nameof(Policy), nameof(Cost))]
    public bool Succeeded => Plan is not null && Spec is not null && Target is not null && Policy is not null && Cost is not null;

    /// <summary>
    /// Advisory warnings for a spec that compiled but is probably not what was meant (<see cref="SpecWarnings"/>):
    /// they never block it. Empty when there is no plan.
    /// </summary>
    public ImmutableArray<SpecError> Warnings => Succeeded ? SpecWarnings.For(Spec, Cost) : [];

    /// <summary>Whether a mandatory guardrail failed: the plan must not be rendered or applied.</summary>
    public bool IsBlocked => Policy?.IsBlocked == true;

    /// <summary>
    /// Why this plan must not be deployed, in the words every way in reports: each mandatory guardrail violation
    /// (path <c>policies.&lt;rule&gt;</c>), then the config keys the target gives no value for (path <c>spec.target</c>),
    /// unless <paramref name="isSetOnStack"/> says the stack itself sets them (the binding reads stack config; the
    /// API's stacks have only what the target gives). Empty when the plan may be deployed, or when there is no plan
    /// (see <see cref="Errors"/>).
    /// </summary>
    /// <param name="isSetOnStack">Whether the stack sets a config key itself; none does when <see langword="null"/>.</param>
    public ImmutableArray<SpecError> GateErrors(Func<string, bool>? isSetOnStack = null)
    {
        if (!Succeeded)
        {
            return [];
        }

        return Gate(Policy, Plan, Target, isSetOnStack);
    }

    /// <summary><see cref="GateErrors"/> of a plan, its guardrail report and its target.</summary>
    internal static ImmutableArray<SpecError> Gate(PolicyReport policy, ResourcePlan plan, DeploymentTarget target, Func<string, bool>? isSetOnStack)
    {
        var errors = ImmutableArray.CreateBuilder<SpecError>();
        errors.AddRange(policy.Mandatory.Select(v => new SpecError(
            $"policies.{v.RuleId}",
            $"{v.Resource}: {v.Message}",
            "Change the spec so its plan meets this mandatory guardrail; it cannot be switched off.")));

        var unset = plan.UnsetConfigKeys.Where(key => isSetOnStack?.Invoke(key) != true).ToList();
        if (unset.Count > 0)
        {
            errors.Add(new SpecError("spec.target",
                $"Deployment target '{target.Name}' lacks settings this environment needs: {string.Join(", ", unset)}.",
                "Ask the platform team to add them to the target in the targets file, or use a target that has them."));
        }

        return errors.ToImmutable();
    }

    internal static PipelineResult Failed(EnvironmentSpec? spec, ImmutableArray<SpecError> errors) => new(spec, null, null, errors, null, null);
}
