using System.Collections.Immutable;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.Components.Planning;

/// <summary>What every golden path needs while it adds its resources to a plan.</summary>
/// <param name="Spec">The validated environment spec.</param>
/// <param name="Target">The deployment target.</param>
/// <param name="Builder">The plan being built.</param>
/// <param name="KindOf">
/// What planning needs of a resource's kind. The compiler wires in the kind registry, so the plan model depends on no
/// kind (the kinds depend on it).
/// </param>
internal sealed record PlanContext(EnvironmentSpec Spec, DeploymentTarget Target, PlanBuilder Builder, Func<ResourceSpec, IResourcePlanning> KindOf)
{
    /// <summary>The tier's defaults and guardrails.</summary>
    public TierProfile Profile { get; } = TierProfile.For(Spec.Tier);

    /// <summary>Labels for every Kubernetes object.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; } = Ownership.KubernetesLabels(Spec);

    /// <summary>Tags for every AWS resource.</summary>
    public ImmutableSortedDictionary<string, string> Tags { get; } = Ownership.AwsTags(Spec);

    /// <summary>The Kubernetes namespace (the environment's name).</summary>
    public string Namespace => Spec.Name;

    // Indexes built once per plan, so no per-service lookup scans every service or resource (issue 14).
    private Dictionary<string, ImmutableArray<ServiceSpec>>? _users;
    private readonly Dictionary<ServiceSpec, ImmutableArray<ResourceGrant>> _grants = new(ReferenceEqualityComparer.Instance);

    // What a resource grants depends on the resource alone, and thousands of services use a few hundred resources:
    // each grant is made once per plan, so its names, ARNs and statements are one instance for all its users, in the
    // plan as well (at 5,000 services the grants made per use were 10 MB of a compilation's 180 MB, issue 14).
    private readonly Dictionary<ResourceSpec, ResourceGrant> _grantOf = new(ReferenceEqualityComparer.Instance);
    private PlanValue? _tagsValue;

    /// <summary>Cloud resources a service uses, in the order it names them.</summary>
    public ImmutableArray<ResourceSpec> CloudResourcesUsedBy(ServiceSpec service) =>
        [.. service.Uses.Select(u => SpecLookup.Resource(Spec, u)).OfType<ResourceSpec>()];

    /// <summary>Other services a service calls, in the order it names them.</summary>
    public ImmutableArray<ServiceSpec> ServicesUsedBy(ServiceSpec service) =>
        [.. service.Uses.Select(u => SpecLookup.Service(Spec, u)).OfType<ServiceSpec>()];

    /// <summary>Services that declare <c>uses: [name]</c>, in spec order.</summary>
    public ImmutableArray<ServiceSpec> ServicesUsing(string name) =>
        (_users ??= IndexUsers()).GetValueOrDefault(name, []);

    /// <summary>What each resource a service uses grants it, in the order it names them.</summary>
    internal ImmutableArray<ResourceGrant> GrantsTo(ServiceSpec service)
    {
        if (!_grants.TryGetValue(service, out var grants))
        {
            // Each resource once (as Distinct would), in the order the service names them.
            var resources = CloudResourcesUsedBy(service);
            var builder = ImmutableArray.CreateBuilder<ResourceGrant>(resources.Length);
            for (var i = 0; i < resources.Length; i++)
            {
                if (resources.IndexOf(resources[i]) == i)
                {
                    builder.Add(GrantOf(resources[i]));
                }
            }

            grants = builder.DrainToImmutable();
            _grants[service] = grants;
        }

        return grants;
    }

    private ResourceGrant GrantOf(ResourceSpec resource)
    {
        if (!_grantOf.TryGetValue(resource, out var grant))
        {
            grant = KindOf(resource).Grant(this, resource);
            _grantOf[resource] = grant;
        }

        return grant;
    }

    /// <summary>
    /// <see cref="Tags"/> as a plan value, made once: plan values are immutable, so every AWS resource of the plan
    /// carries the same instance instead of a map of its own.
    /// </summary>
    public PlanValue TagsValue => _tagsValue ??= PlanValue.From(Tags);

    /// <summary>Whether a service talks to AWS APIs, and so needs an IAM role its service account assumes.</summary>
    internal bool NeedsWorkloadIdentity(ServiceSpec service) => GrantsTo(service).Any(g => g.UsesAwsApis);

    /// <summary>Whether the environment has any AWS resource (a data resource, or the log group of a CloudWatch target).</summary>
    public bool UsesAws => !Spec.Resources.IsEmpty || Target.Telemetry.CloudWatchLogGroupPrefix is not null;

    private Dictionary<string, ImmutableArray<ServiceSpec>> IndexUsers()
    {
        var users = new Dictionary<string, ImmutableArray<ServiceSpec>.Builder>(StringComparer.Ordinal);
        foreach (var service in Spec.Services)
        {
            foreach (var name in service.Uses.Distinct(StringComparer.Ordinal))
            {
                if (!users.TryGetValue(name, out var list))
                {
                    users[name] = list = ImmutableArray.CreateBuilder<ServiceSpec>();
                }

                list.Add(service);
            }
        }

        return users.ToDictionary(u => u.Key, u => u.Value.ToImmutable(), StringComparer.Ordinal);
    }
}
