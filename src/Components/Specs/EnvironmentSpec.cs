using System.Collections.Immutable;

namespace Platform.Components.Specs;

/// <summary>
/// The environment contract application teams write and check in (<c>apiVersion: platform/v1</c>, <c>kind: Environment</c>).
/// Produced by <c>SpecDocuments.SpecParser</c> from JSON or YAML; checked by <c>SpecDocuments.SpecValidator</c>.
/// </summary>
/// <param name="Metadata">Who owns the environment and what it is called.</param>
/// <param name="Tier">The environment tier; decides every default (see <see cref="Tiers.TierProfile"/>).</param>
/// <param name="Target">The named deployment target (cluster and cloud account) configured by the platform team.</param>
/// <param name="Ttl">How long the environment lives; <see langword="null"/> takes the tier default. Prod never expires.</param>
/// <param name="Services">Workloads that run on Kubernetes.</param>
/// <param name="Resources">Managed cloud resources (databases, buckets, queues, caches: the registered resource kinds).</param>
public sealed record EnvironmentSpec(
    EnvironmentMetadata Metadata,
    Tier Tier,
    string Target,
    TimeSpan? Ttl,
    ImmutableArray<ServiceSpec> Services,
    ImmutableArray<ResourceSpec> Resources)
{
    /// <summary>The only accepted <c>apiVersion</c>.</summary>
    public const string ApiVersion = "platform/v1";

    /// <summary>The only accepted <c>kind</c>.</summary>
    public const string Kind = "Environment";

    /// <summary>The target used when a spec names none.</summary>
    public const string DefaultTarget = "default";

    /// <summary>The environment's name (also its Kubernetes namespace).</summary>
    public string Name => Metadata.Name;

    /// <inheritdoc />
    public bool Equals(EnvironmentSpec? other) =>
        other is not null && Metadata == other.Metadata && Tier == other.Tier && Target == other.Target &&
        Ttl == other.Ttl && Services.SequenceEqual(other.Services) && Resources.SequenceEqual(other.Resources);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Metadata, Tier, Target, Ttl, Services.Length, Resources.Length);

    /// <summary>Finds a declared service or resource by name.</summary>
    public bool Declares(string name) =>
        SpecLookup.Service(this, name) is not null || SpecLookup.Resource(this, name) is not null;
}

/// <summary>Ownership of an environment. Every resource is labelled or tagged with these.</summary>
/// <param name="Name">DNS-safe environment name, e.g. <c>checkout-staging</c>.</param>
/// <param name="Team">Owning team, e.g. <c>payments</c>.</param>
/// <param name="CostCenter">Cost center charged for the environment, e.g. <c>cc-1234</c>.</param>
/// <param name="Labels">Extra labels copied onto every resource.</param>
public sealed record EnvironmentMetadata(
    string Name,
    string Team,
    string CostCenter,
    ImmutableSortedDictionary<string, string> Labels)
{
    /// <inheritdoc />
    public bool Equals(EnvironmentMetadata? other) =>
        other is not null && Name == other.Name && Team == other.Team && CostCenter == other.CostCenter &&
        Labels.SequenceEqual(other.Labels);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Team, CostCenter, Labels.Count);

    /// <summary>Creates metadata without extra labels.</summary>
    public EnvironmentMetadata(string name, string team, string costCenter)
        : this(name, team, costCenter, ImmutableSortedDictionary<string, string>.Empty)
    {
    }
}

/// <summary>Environment tiers, from cheapest and most permissive to most protected.</summary>
public enum Tier
{
    /// <summary>Short-lived developer environments: one replica, no disruption budget, small requests.</summary>
    Dev,

    /// <summary>Pre-production: production-shaped, smaller.</summary>
    Staging,

    /// <summary>Production: redundant, protected, never expires.</summary>
    Prod,
}

/// <summary>Kinds of workload a service can be.</summary>
public enum ServiceType
{
    /// <summary>A long-running HTTP service, reachable through a Service and optionally an Ingress.</summary>
    Web,

    /// <summary>A long-running background process with no inbound traffic.</summary>
    Worker,

    /// <summary>A scheduled job (Kubernetes CronJob).</summary>
    Cron,
}

/// <summary>A workload in an environment.</summary>
/// <param name="Name">DNS-safe name, unique among services and resources.</param>
/// <param name="Type">Web, worker or cron.</param>
/// <param name="Image">Container image with an explicit tag or digest (never <c>latest</c>).</param>
/// <param name="Port">Container port; required for web services, defaults to 8080 there.</param>
/// <param name="Host">Public host prefix (web only): the Ingress host is <c>host.environment.baseDomain</c>.</param>
/// <param name="Env">Environment variables; values may be marked secret.</param>
/// <param name="Uses">Names of the services and resources this service talks to.</param>
/// <param name="Replicas">Autoscaling bounds; <see langword="null"/> takes the tier default.</param>
/// <param name="Resources">CPU and memory requests; <see langword="null"/> takes the tier default.</param>
/// <param name="Schedule">Cron schedule (cron only).</param>
/// <param name="HealthPath">HTTP path for probes (web only); defaults to <c>/healthz</c>.</param>
/// <param name="Command">Overrides the image's entrypoint.</param>
/// <param name="Args">Overrides the image's arguments.</param>
public sealed record ServiceSpec(
    string Name,
    ServiceType Type,
    string Image,
    int? Port,
    string? Host,
    ImmutableSortedDictionary<string, EnvValue> Env,
    ImmutableArray<string> Uses,
    ReplicaRange? Replicas,
    ComputeResources? Resources,
    string? Schedule,
    string? HealthPath,
    ImmutableArray<string> Command,
    ImmutableArray<string> Args)
{
    /// <summary>The port a web service listens on when the spec names none.</summary>
    public const int DefaultWebPort = 8080;

    /// <summary>The probe path when the spec names none.</summary>
    public const string DefaultHealthPath = "/healthz";

    /// <inheritdoc />
    public bool Equals(ServiceSpec? other) =>
        other is not null && Name == other.Name && Type == other.Type && Image == other.Image && Port == other.Port &&
        Host == other.Host && Env.SequenceEqual(other.Env) && Uses.SequenceEqual(other.Uses) &&
        Replicas == other.Replicas && Resources == other.Resources && Schedule == other.Schedule &&
        HealthPath == other.HealthPath && Command.SequenceEqual(other.Command) && Args.SequenceEqual(other.Args);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, Image, Port, Host, Replicas, Resources, Schedule);

    /// <summary>The port this service listens on, or <see langword="null"/> when it takes no traffic.</summary>
    public int? EffectivePort => Port ?? (Type == ServiceType.Web ? DefaultWebPort : null);

    /// <summary>Creates a service with only the required fields; the rest take their defaults.</summary>
    public static ServiceSpec Create(string name, ServiceType type, string image) => new(
        name, type, image, null, null, ImmutableSortedDictionary<string, EnvValue>.Empty,
        [], null, null, null, null, [], []);
}

/// <summary>An environment variable's value: plain text, or a secret kept out of plain text everywhere.</summary>
/// <param name="Value">The value.</param>
/// <param name="IsSecret">When true the value goes to stack config as a secret and into a Kubernetes Secret.</param>
public sealed record EnvValue(string Value, bool IsSecret)
{
    /// <summary>A plain value.</summary>
    public static EnvValue Plain(string value) => new(value, false);

    /// <summary>A secret value.</summary>
    public static EnvValue Secret(string value) => new(value, true);

    /// <summary>Never prints a secret's value.</summary>
    public override string ToString() => IsSecret ? "[secret]" : Value;
}

/// <summary>Autoscaling bounds.</summary>
/// <param name="Min">Fewest replicas.</param>
/// <param name="Max">Most replicas.</param>
public sealed record ReplicaRange(int Min, int Max);

/// <summary>CPU and memory requests in Kubernetes quantity syntax (<c>250m</c>, <c>512Mi</c>).</summary>
/// <param name="Cpu">CPU request, or <see langword="null"/> for the tier default.</param>
/// <param name="Memory">Memory request, or <see langword="null"/> for the tier default.</param>
public sealed record ComputeResources(string? Cpu, string? Memory);

/// <summary>A managed cloud resource in an environment.</summary>
/// <param name="Name">DNS-safe name, unique among services and resources.</param>
/// <param name="Type">
/// What it is (<c>type:</c> in the spec): the name of a registered resource kind (<c>Resources.ResourceKinds</c>). The
/// spec model names the kind rather than holding it, so the model depends on no kind; the validator reports a type no
/// kind has.
/// </param>
/// <param name="Fields">The kind's own fields as written in the spec (e.g. <c>size: small</c>), by field name.</param>
public sealed record ResourceSpec(
    string Name,
    string Type,
    ImmutableSortedDictionary<string, string> Fields)
{
    /// <summary>Creates a resource without fields of its kind (every field takes its default).</summary>
    public static ResourceSpec Create(string name, string type) =>
        new(name, type, ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>This resource with <paramref name="field"/> set to <paramref name="value"/>.</summary>
    public ResourceSpec With(string field, string value) => this with { Fields = Fields.SetItem(field, value) };

    /// <summary>The value of a field as the spec wrote it, or <see langword="null"/>.</summary>
    public string? Field(string field) => Fields.TryGetValue(field, out var value) ? value : null;

    /// <inheritdoc />
    public bool Equals(ResourceSpec? other) =>
        other is not null && Name == other.Name && Type == other.Type && Fields.SequenceEqual(other.Fields);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, Fields.Count);
}
