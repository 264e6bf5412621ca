using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>
/// Plans only the Kubernetes golden paths. The AWS path (another component) creates the IAM roles and database
/// connection secrets Kubernetes objects refer to; here they are stand-ins with the same logical names, so plans
/// still pass <see cref="PlanBuilder.Build"/>'s reference checks without depending on the AWS planner.
/// </summary>
internal static class KubernetesPlans
{
    public static ResourcePlan Compile(EnvironmentSpec spec, DeploymentTarget? target = null)
    {
        target ??= DeploymentTarget.Default;
        var context = new PlanContext(spec, target, new PlanBuilder(), ResourceKinds.Of);
        // The providers without the AWS one: its stand-in consumers below need none, and this keeps these tests
        // independent of the AWS provider's inputs.
        ProviderPlanner.Plan(context with { Spec = spec with { Resources = [] } });
        foreach (var service in spec.Services.Where(s => !context.CloudResourcesUsedBy(s).IsEmpty))
        {
            context.Builder.Add(LogicalNames.Role(service.Name), "aws:iam/role:Role", PlanValue.Map.Empty, null);
        }

        foreach (var database in spec.Resources.Where(r => r.Type == "postgres"))
        {
            context.Builder.Add(LogicalNames.ConnectionSecret(database.Name), KubernetesTypes.Secret, PlanValue.Map.Empty, null,
                PlanResourceOptions.WithProvider(LogicalNames.KubernetesProvider));
        }

        foreach (var located in spec.Resources.Where(r => r.Type != "postgres"))
        {
            context.Builder.Add(ConnectionConfig.LogicalName(located.Name), KubernetesTypes.ConfigMap, PlanValue.Map.Empty, null,
                PlanResourceOptions.WithProvider(LogicalNames.KubernetesProvider));
        }

        KubernetesPlanner.Plan(context, PlanCompiler.PlannerConfigKeys);
        return context.Builder.Build(spec.Name, spec.Tier, target.Name);
    }

    /// <summary>Resources the Kubernetes planner made (not providers or stand-ins).</summary>
    public static ImmutableArray<PlannedResource> KubernetesResources(ResourcePlan plan) =>
        [.. plan.Resources.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal) && r.Component is not null)];

    /// <summary>The value at a dotted path (list items by index: <c>spec.ports.0.port</c>), or null.</summary>
    public static PlanValue? At(this PlanValue value, string path)
    {
        var current = value;
        foreach (var segment in path.Split('.'))
        {
            current = current switch
            {
                PlanValue.Map map => map[segment],
                PlanValue.List list when int.TryParse(segment, out var i) && i < list.Items.Length => list.Items[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>The value under a key that contains dots (labels, annotations).</summary>
    public static PlanValue? Key(this PlanValue? value, string key) => (value as PlanValue.Map)?[key];

    public static string? Text(this PlanValue? value) => (value as PlanValue.Text)?.Value;

    public static decimal? Number(this PlanValue? value) => (value as PlanValue.Number)?.Value;

    public static bool? Bool(this PlanValue? value) => (value as PlanValue.Bool)?.Value;

    public static ImmutableArray<PlanValue> Items(this PlanValue? value) => (value as PlanValue.List)?.Items ?? [];

    /// <summary>A map's entries as plain strings.</summary>
    public static ImmutableSortedDictionary<string, string> Strings(this PlanValue? value) =>
        ((value as PlanValue.Map)?.Entries ?? []).ToImmutableSortedDictionary(e => e.Key, e => e.Value.Text() ?? $"<{e.Value}>", StringComparer.Ordinal);
}
