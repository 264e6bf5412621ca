using System.Collections.Immutable;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.Components.Planning;

/// <summary>What every golden path needs while it adds its resources to a plan.</summary>
/// <param name="Spec">The validated environment spec.</param>
/// <param name="Target">The deployment target.</param>
/// <param name="Builder">The plan being built.</param>
internal sealed record PlanContext(EnvironmentSpec Spec, DeploymentTarget Target, PlanBuilder Builder)
{
    /// <summary>The tier's defaults and guardrails.</summary>
    public TierProfile Profile { get; } = TierProfile.For(Spec.Tier);

    /// <summary>Labels for every Kubernetes object.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; } = Ownership.KubernetesLabels(Spec);

    /// <summary>Tags for every AWS resource.</summary>
    public ImmutableSortedDictionary<string, string> Tags { get; } = Ownership.AwsTags(Spec);

    /// <summary>The Kubernetes namespace (the environment's name).</summary>
    public string Namespace => Spec.Name;

    /// <summary>Cloud resources a service uses, in the order it names them.</summary>
    public ImmutableArray<ResourceSpec> CloudResourcesUsedBy(ServiceSpec service) =>
        [.. service.Uses.Select(u => Spec.Resources.FirstOrDefault(r => r.Name == u)).OfType<ResourceSpec>()];

    /// <summary>Other services a service calls, in the order it names them.</summary>
    public ImmutableArray<ServiceSpec> ServicesUsedBy(ServiceSpec service) =>
        [.. service.Uses.Select(u => Spec.Services.FirstOrDefault(s => s.Name == u)).OfType<ServiceSpec>()];

    /// <summary>Services that declare <c>uses: [name]</c>.</summary>
    public ImmutableArray<ServiceSpec> ServicesUsing(string name) =>
        [.. Spec.Services.Where(s => s.Uses.Contains(name))];

    /// <summary>What each resource a service uses grants it, in the order it names them.</summary>
    internal ImmutableArray<ResourceGrant> GrantsTo(ServiceSpec service) =>
        [.. CloudResourcesUsedBy(service).Distinct().Select(r => r.Kind.Grant(this, r))];

    /// <summary>Whether a service talks to AWS APIs, and so needs an IAM role its service account assumes.</summary>
    internal bool NeedsWorkloadIdentity(ServiceSpec service) => GrantsTo(service).Any(g => g.UsesAwsApis);

    /// <summary>Whether the environment has any AWS resource (a data resource, or the log group of a CloudWatch target).</summary>
    public bool UsesAws => !Spec.Resources.IsEmpty || Target.Telemetry.CloudWatchLogGroupPrefix is not null;
}
