using System.Collections.Immutable;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components;

/// <summary>Compiles a validated environment spec into a resource plan for a deployment target.</summary>
internal static class PlanCompiler
{
    /// <summary>
    /// Every config key the provider and AWS planners may declare, each as its planner lists them: the keys a
    /// service's secret env value must not take (see <see cref="KubernetesPlanner.Plan"/>).
    /// </summary>
    internal static ImmutableArray<string> PlannerConfigKeys { get; } = [.. ProviderPlanner.ConfigKeys, .. AwsConfigKeys.All];

    /// <summary>Compiles <paramref name="spec"/> for <paramref name="target"/>. Same inputs, same plan, always.</summary>
    /// <remarks>The spec must have passed <see cref="SpecDocuments.SpecValidator"/>; compiling an invalid spec may throw.</remarks>
    public static ResourcePlan Compile(EnvironmentSpec spec, DeploymentTarget target)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(target);
        // Equal values the Kubernetes models convert to are shared for as long as this compilation runs.
        using var shared = SharedValues.Enter(spec.Services.Length);
        var context = new PlanContext(spec, target, new PlanBuilder(), ResourceKinds.Of);
        ProviderPlanner.Plan(context);
        KubernetesPlanner.Plan(context, PlannerConfigKeys);
        AwsPlanner.Plan(context);
        return context.Builder.Build(spec.Name, spec.Tier, target.Name);
    }
}
