using System.Globalization;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Resources.Cache;

/// <summary>
/// The <c>cache</c> golden path: an ElastiCache replication group (cluster mode off) in the target's private
/// subnets, reachable only from the cluster's security group on 6379, encrypted at rest and in transit, protected by
/// an auth token the Random provider generates and keeps secret; multi-AZ with automatic failover and a week of
/// snapshots in prod; and a Kubernetes Secret with the connection details that every service using it loads.
/// Property names are the AWS provider's (<c>sdk/dotnet/ElastiCache/ReplicationGroup.cs</c> and
/// <c>SubnetGroup.cs</c> in <c>pulumi/pulumi-aws</c>).
/// </summary>
internal static class CacheResources
{
    /// <summary>ElastiCache replication group.</summary>
    public const string ReplicationGroupType = "aws:elasticache/replicationGroup:ReplicationGroup";

    /// <summary>ElastiCache subnet group.</summary>
    public const string SubnetGroupType = "aws:elasticache/subnetGroup:SubnetGroup";

    /// <summary>The longest replication group id ElastiCache accepts.</summary>
    public const int ReplicationGroupIdLimit = 40;

    /// <summary>Auth token length: ElastiCache accepts 16 to 128 characters; letters and digits only, so it works in a URL unescaped.</summary>
    public const int AuthTokenLength = 32;

    /// <summary>
    /// How a changed auth token is applied: <c>ROTATE</c> keeps the old token valid alongside the new one, so
    /// running pods keep working until they restart with the new Secret.
    /// </summary>
    public const string AuthTokenUpdateStrategy = "ROTATE";

    /// <summary>Engine version per engine (major.minor, as the provider asks for version 7 and later).</summary>
    public static IReadOnlyDictionary<string, string> EngineVersions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["valkey"] = "8.0",
        ["redis"] = "7.1",
    };

    public static string SubnetGroup(string cache) => $"{cache}-cache-subnet-group";

    public static string SecurityGroup(string cache) => $"{cache}-cache-security-group";

    public static string AuthToken(string cache) => $"{cache}-auth-token";

    public static string ReplicationGroup(string cache) => $"{cache}-replication-group";

    /// <summary>
    /// A replication group id: at most 40 lower-case letters, digits and single hyphens, starting with a letter
    /// (environment and resource names are DNS labels, so joining them keeps every rule).
    /// </summary>
    public static string ReplicationGroupId(string environment, string cache) => PhysicalName.Create(ReplicationGroupIdLimit, environment, cache);

    public static void Plan(PlanContext context, ResourceSpec cache)
    {
        var builder = context.Builder;
        var kind = (CacheKind)ResourceKinds.Of(cache);
        var tier = CacheTiers.For(context.Spec.Tier);
        var name = cache.Name;
        var environment = context.Spec.Name;
        var engine = kind.FieldValue(cache, CacheKind.EngineField)!;
        builder.AddComponent(name, CacheKind.ComponentToken);

        builder.Add(SubnetGroup(name), SubnetGroupType, Map(
            ("name", PhysicalName.Create(255, environment, name, "cache")),
            ("description", $"Private subnets of cache {name} in environment {environment}"),
            ("subnetIds", PlanValue.Config(AwsConfigKeys.PrivateSubnetIds)),
            ("tags", Tags(context))), name, Options);

        // Only the cluster's nodes and pods reach the cache, and only on its port; no egress rule (the provider
        // removes the default allow-all egress rule), since the cache opens no connections.
        var groupName = PhysicalName.Create(PhysicalName.SecurityGroup, environment, name, "cache");
        builder.Add(SecurityGroup(name), AwsTypes.SecurityGroup, Map(
            ("name", groupName.StartsWith("sg-", StringComparison.Ordinal) ? "cache-" + groupName : groupName),
            ("description", $"Cache {name} in environment {environment}: the cluster only, port {CacheKind.Port}"),
            ("vpcId", PlanValue.Config(AwsConfigKeys.VpcId)),
            ("ingress", List(Map(
                ("description", "Cache clients in the cluster nodes and pods"),
                ("protocol", "tcp"),
                ("fromPort", CacheKind.Port),
                ("toPort", CacheKind.Port),
                ("securityGroups", List(PlanValue.Config(AwsConfigKeys.ClusterSecurityGroupId)))))),
            ("tags", Tags(context))), name, Options);

        builder.Add(AuthToken(name), AwsTypes.RandomPassword, Map(
            ("length", AuthTokenLength),
            ("special", false),
            ("minLower", 1),
            ("minUpper", 1),
            ("minNumeric", 1)), name,
            PlanResourceOptions.WithProvider(LogicalNames.RandomProvider) with { AdditionalSecretOutputs = ["result"] });
        var token = PlanValue.SecretOf(PlanValue.Ref(AuthToken(name), "result"));

        var id = ReplicationGroupId(environment, name);
        var group = Map(
            ("replicationGroupId", id),
            ("description", $"Cache {name} in environment {environment}"),
            ("engine", engine),
            ("engineVersion", EngineVersions[engine]),
            ("nodeType", tier.NodeTypeFor(kind.FieldValue(cache, CacheKind.SizeField)!)),
            ("numCacheClusters", tier.Nodes),
            ("automaticFailoverEnabled", tier.MultiAz),
            ("multiAzEnabled", tier.MultiAz),
            ("port", CacheKind.Port),
            ("subnetGroupName", PlanValue.Ref(SubnetGroup(name), "name")),
            ("securityGroupIds", List(PlanValue.Ref(SecurityGroup(name), "id"))),
            ("atRestEncryptionEnabled", true),
            ("transitEncryptionEnabled", true),
            ("authToken", token),
            ("authTokenUpdateStrategy", AuthTokenUpdateStrategy),
            ("snapshotRetentionLimit", tier.SnapshotRetentionDays),
            ("autoMinorVersionUpgrade", true));
        if (context.Spec.Tier == Tier.Prod)
        {
            // Prod keeps a final snapshot when the cache is deleted; other tiers are disposable. Its name is unique per
            // replication group lifetime (FinalSnapshots says why and cites the providers).
            FinalSnapshots.PlanSuffix(context, name);
            group = group.With("finalSnapshotIdentifier", FinalSnapshots.Identifier(id, name));
        }

        builder.Add(ReplicationGroup(name), ReplicationGroupType, group.With("tags", Tags(context)), name,
            Options with { Protect = context.Spec.Tier == Tier.Prod, AdditionalSecretOutputs = ["authToken"] });

        PlanConnectionSecret(context, name, token);
        var output = Casing.Camel(name);
        builder.AddOutput(output + "CacheEndpoint", PlanValue.Ref(ReplicationGroup(name), "primaryEndpointAddress"), name);
        builder.AddOutput(output + "CachePort", PlanValue.Ref(ReplicationGroup(name), "port"), name);
        // The Secret is autonamed (ConnectionConfig.PlanSecret), so its name is known only from its output.
        builder.AddOutput(output + "CacheConnectionSecret", PlanValue.Ref(LogicalNames.ConnectionSecret(name), "metadata.name"), name);
    }

    // Keys carry the cache's name (SESSIONS_HOST, SESSIONS_URL…), so a service using several caches sees each.
    // The URL uses rediss:// because the cache accepts TLS connections only.
    private static void PlanConnectionSecret(PlanContext context, string name, PlanValue token)
    {
        var host = PlanValue.Ref(ReplicationGroup(name), "primaryEndpointAddress");
        var port = CacheKind.Port.ToString(CultureInfo.InvariantCulture);
        var data = new (string Key, PlanValue Value)[]
        {
            (ConnectionConfig.Key(name, "HOST"), host),
            (ConnectionConfig.Key(name, "PORT"), port),
            (ConnectionConfig.Key(name, "TLS"), "true"),
            (ConnectionConfig.Key(name, "AUTH_TOKEN"), token),
            (ConnectionConfig.Key(name, "URL"), PlanValue.SecretOf(PlanValue.Concat("rediss://:", PlanValue.Ref(AuthToken(name), "result"), "@", host, ":", port))),
        };

        ConnectionConfig.PlanSecret(context, name, data);
    }
}
