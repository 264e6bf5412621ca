using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using Platform.Components.Aws;
using Platform.Components.Costs.Prices;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using static Platform.Components.Policies.PlanReading;

namespace Platform.Components.Resources.Cache;

/// <summary>
/// <c>cache</c>: a Redis-compatible in-memory cache on AWS ElastiCache (<see cref="CacheResources"/>), Valkey or
/// Redis OSS, sized by <c>size</c> and the tier (<see cref="CacheTiers"/>). Services that use it reach it on 6379
/// inside the VPC only, over TLS, with the auth token from its connection Secret.
/// </summary>
/// <remarks>
/// A cache grants no IAM statement and no AWS API access: data access is by auth token (ElastiCache's IAM
/// authentication needs per-user access control, which a shared auth token rules out), so a service that uses only
/// caches gets no IAM role and no HTTPS egress.
/// </remarks>
internal sealed class CacheKind : ResourceKind
{
    /// <summary>The component type of a <c>cache</c> resource.</summary>
    public const string ComponentToken = "platform:aws:Cache";

    /// <summary>The <c>engine</c> field.</summary>
    public const string EngineField = "engine";

    /// <summary>The <c>size</c> field.</summary>
    public const string SizeField = "size";

    /// <summary>The port caches listen on.</summary>
    public const int Port = 6379;

    /// <summary>Engines: Valkey (the open-source Redis fork AWS recommends for new caches, cheaper) or Redis OSS.</summary>
    public static ImmutableArray<string> Engines { get; } = ["valkey", "redis"];

    /// <summary>Size classes; the tier maps each to a node type.</summary>
    public static ImmutableArray<string> Sizes { get; } = ["small", "medium", "large"];

    /// <summary>The price table section caches read (<see cref="CachePrices"/>).</summary>
    internal const string PriceSection = "elasticache";

    /// <inheritdoc />
    public override string Name => "cache";

    /// <inheritdoc />
    public override string Description => "Redis-compatible cache (AWS ElastiCache, Valkey or Redis OSS), private, encrypted, with an auth token.";

    /// <inheritdoc />
    public override string ComponentType => ComponentToken;

    internal override int Order => 40;

    /// <inheritdoc />
    public override ImmutableArray<ResourceField> Fields { get; } =
    [
        ResourceField.Choice(EngineField, "cache engine", Engines, "valkey"),
        ResourceField.Choice(SizeField, "size class (the tier maps it to a node type)", Sizes, "small"),
    ];

    /// <inheritdoc />
    public override ImmutableArray<TierSetting> TierSettings { get; } =
    [
        TierSetting.From("cache node type small / medium / large", CacheTiers.For, t => $"{t.Small} / {t.Medium} / {t.Large}"),
        TierSetting.From("cache nodes (primary + replicas)", CacheTiers.For, t => Num(t.Nodes)),
        TierSetting.From("cache multi-AZ with automatic failover", CacheTiers.For, t => t.MultiAz ? "yes" : "no"),
        TierSetting.From("cache snapshot retention (days)", CacheTiers.For, t => Num(t.SnapshotRetentionDays)),
    ];

    internal override bool UsesRandomProvider => true;

    internal override bool UsesPrivateNetwork => true;

    internal override ImmutableArray<string> TaggableTypes => [CacheResources.ReplicationGroupType, CacheResources.SubnetGroupType, AwsTypes.SecurityGroup];

    internal override void Plan(PlanContext context, ResourceSpec resource) => CacheResources.Plan(context, resource);

    internal override ResourceGrant Grant(PlanContext context, ResourceSpec resource) =>
        new(resource.Name, [Port], UsesAwsApis: false, [],
            new ConnectionSource(LogicalNames.ConnectionSecret(resource.Name), IsSecret: true, PrefixWhenSeveral: null));

    /// <inheritdoc/>
    internal override ImmutableArray<string> PricedTypes => [CacheResources.ReplicationGroupType];

    // Every node of the replication group is billed; Valkey nodes at a discount on the Redis OSS list price.
    internal override (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced)
    {
        if (resource.Type != CacheResources.ReplicationGroupType)
        {
            return null;
        }

        var nodeType = Text(resource.Inputs, "nodeType") ?? "(none)";
        var nodes = Number(resource.Inputs, "numCacheClusters") ?? 1;
        var engine = Text(resource.Inputs, "engine") ?? "redis";
        var section = prices.Section(PriceSection, CachePricesJson.Default.CachePrices);
        if (section is null || !section.NodeTypes.TryGetValue(nodeType, out var price))
        {
            unpriced.Add($"{resource.Name} ({nodeType})");
            return (0m, $"no price for {nodeType}");
        }

        var factor = engine == "valkey" ? 1 - section.ValkeyDiscount : 1;
        return (price.Hourly * factor * nodes * prices.HoursPerMonth,
            $"{Num(nodes)} x {nodeType}{(price.Approximate ? " (approximate price)" : "")} {engine}{(factor == 1 ? "" : $" x {Num(factor)}")} x {Num(prices.HoursPerMonth)} h");
    }

    internal override IEnumerable<(string RuleId, string Requires)> Guardrails =>
    [
        (GuardrailIds.EncryptionAtRest, "Every ElastiCache replication group is encrypted at rest and in transit."),
        (GuardrailIds.ProdDatabaseProtection, $"Every ElastiCache replication group is multi-AZ with automatic failover over at least 2 nodes and keeps at least {GuardrailRules.MinimumProdBackupDays} days of snapshots."),
    ];

    // The cache's share of the shared guardrails: encryption at rest and in transit (PLT002), prod protection (PLT004).
    internal override IEnumerable<(string Resource, string Message)> Violations(string ruleId, ResourcePlan plan)
    {
        var groups = plan.OfType(CacheResources.ReplicationGroupType);
        if (ruleId == GuardrailRules.EncryptionAtRest.Id)
        {
            foreach (var group in groups.Where(g => Bool(g.Inputs, "atRestEncryptionEnabled") != true || Bool(g.Inputs, "transitEncryptionEnabled") != true))
            {
                yield return (group.Name, $"Cache '{group.Name}' is not encrypted at rest and in transit. Set atRestEncryptionEnabled: true and transitEncryptionEnabled: true.");
            }
        }
        else if (ruleId == GuardrailRules.ProdDatabaseProtection.Id && plan.Tier == Tier.Prod)
        {
            foreach (var group in groups)
            {
                var missing = new List<string>();
                if (Bool(group.Inputs, "multiAzEnabled") != true || Bool(group.Inputs, "automaticFailoverEnabled") != true || (Number(group.Inputs, "numCacheClusters") ?? 1) < 2)
                {
                    missing.Add("multiAzEnabled and automaticFailoverEnabled with at least 2 numCacheClusters");
                }

                if ((Number(group.Inputs, "snapshotRetentionLimit") ?? 0) < GuardrailRules.MinimumProdBackupDays)
                {
                    missing.Add($"snapshotRetentionLimit of at least {GuardrailRules.MinimumProdBackupDays}");
                }

                if (missing.Count > 0)
                {
                    yield return (group.Name, $"Prod cache '{group.Name}' lacks {string.Join(", ", missing)}.");
                }
            }
        }
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>What the tier decides for a <c>cache</c> resource.</summary>
/// <param name="Small">Node type of size <c>small</c>.</param>
/// <param name="Medium">Node type of size <c>medium</c>.</param>
/// <param name="Large">Node type of size <c>large</c>.</param>
/// <param name="Nodes">Nodes in the replication group: the primary and its replicas.</param>
/// <param name="MultiAz">Whether replicas sit in other availability zones and one takes over when the primary fails.</param>
/// <param name="SnapshotRetentionDays">Days of automatic snapshots (0: none).</param>
internal sealed record CacheTiers(string Small, string Medium, string Large, int Nodes, bool MultiAz, int SnapshotRetentionDays)
{
    public static CacheTiers For(Tier tier) => tier switch
    {
        Tier.Dev => new("cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", 1, false, 0),
        Tier.Staging => new("cache.t4g.small", "cache.t4g.medium", "cache.m7g.large", 1, false, 1),
        _ => new("cache.m7g.large", "cache.m7g.xlarge", "cache.m7g.2xlarge", 2, true, 7),
    };

    /// <summary>Every node type the tier uses, small to large.</summary>
    public ImmutableArray<string> NodeTypes => [Small, Medium, Large];

    /// <summary>The node type of a size class.</summary>
    public string NodeTypeFor(string size) => size switch
    {
        "medium" => Medium,
        "large" => Large,
        _ => Small,
    };
}

/// <summary>The <c>elasticache</c> section of the price table.</summary>
/// <param name="NodeTypes">Redis OSS on-demand hourly price per node type.</param>
/// <param name="ValkeyDiscount">The fraction Valkey nodes cost less than Redis OSS nodes.</param>
/// <param name="Notes">What the prices include.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record CachePrices(
    ImmutableSortedDictionary<string, InstancePrice> NodeTypes,
    decimal ValkeyDiscount,
    string Notes,
    ImmutableArray<PriceSource> Sources);

/// <summary>Reads <see cref="CachePrices"/> with the price table's options (<see cref="PriceTableJson"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(CachePrices))]
internal sealed partial class CachePricesJson : JsonSerializerContext;
