using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using Platform.Components.Aws;
using Platform.Components.Costs.Prices;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using static Platform.Components.Policies.PlanReading;

namespace Platform.Components.Resources.Postgres;

/// <summary>
/// <c>postgres</c>: a PostgreSQL database on AWS RDS (<see cref="PostgresResources"/>), sized by <c>size</c> and the
/// tier (<see cref="PostgresTiers"/>). Services that use it reach it on 5432 inside the VPC and load its connection
/// Secret; with the target's region and account they may also connect with an IAM token (<c>rds-db:connect</c>).
/// </summary>
internal sealed class PostgresKind : ResourceKind
{
    /// <summary>The component type of a <c>postgres</c> resource.</summary>
    public const string ComponentToken = "platform:aws:PostgresDatabase";

    /// <summary>The <c>size</c> field.</summary>
    public const string SizeField = "size";

    /// <summary>The <c>version</c> field.</summary>
    public const string VersionField = "version";

    /// <summary>The PostgreSQL major version when the spec names none.</summary>
    public const string DefaultVersion = "16";

    /// <summary>Connect to a database with an IAM authentication token.</summary>
    public static readonly ImmutableArray<string> ConnectActions = ["rds-db:connect"];

    /// <summary>Size classes; the tier maps each to an instance class.</summary>
    public static ImmutableArray<string> Sizes { get; } = ["small", "medium", "large"];

    /// <summary>PostgreSQL major versions RDS offers that Platform supports.</summary>
    public static ImmutableArray<string> Versions { get; } = ["14", "15", "16", "17"];

    /// <summary>The registered instance.</summary>
    public static PostgresKind Instance => (PostgresKind)ResourceKinds.Get("postgres");

    /// <inheritdoc />
    public override string Name => "postgres";

    /// <inheritdoc />
    public override string Description => "PostgreSQL database (AWS RDS).";

    /// <inheritdoc />
    public override string ComponentType => ComponentToken;

    internal override int Order => 10;

    /// <inheritdoc />
    public override ImmutableArray<ResourceField> Fields { get; } =
    [
        ResourceField.Choice(SizeField, "size class (the tier maps it to an instance class)", Sizes, "small"),
        ResourceField.Choice(VersionField, "PostgreSQL major version", Versions, DefaultVersion),
    ];

    /// <inheritdoc />
    public override ImmutableArray<TierSetting> TierSettings { get; } =
    [
        TierSetting.From("database class small / medium / large", PostgresTiers.For, t => $"{t.Small} / {t.Medium} / {t.Large}"),
        TierSetting.From("database storage (GiB)", PostgresTiers.For, t => Num(t.StorageGb)),
        TierSetting.From("database multi-AZ", PostgresTiers.For, t => YesNo(t.MultiAz)),
        TierSetting.From("backup retention (days)", PostgresTiers.For, t => Num(t.BackupRetentionDays)),
        TierSetting.From("deletion protection", PostgresTiers.For, t => YesNo(t.DeletionProtection)),
    ];

    internal override bool UsesRandomProvider => true;

    internal override bool UsesPrivateNetwork => true;

    internal override ImmutableArray<string> TaggableTypes => [AwsTypes.DbInstance, AwsTypes.DbSubnetGroup, AwsTypes.SecurityGroup];

    internal override void Plan(PlanContext context, ResourceSpec resource) => PostgresResources.Plan(context, resource);

    /// <inheritdoc />
    internal override void Validate(ResourceSpec resource, string path, Action<string, string, string> error)
    {
        // RDS refuses a DBName that is "a word reserved by the database engine" (CreateDBInstance), and the database is
        // named after the resource. Refused here rather than renamed: a name RDS did accept must never change, since a
        // new dbName replaces the instance and its data.
        if (resource.Name.Length > 0 && PostgresNames.DatabaseName(resource.Name) is var database && PostgresNames.IsReservedWord(database))
        {
            error($"{path}.name", $"'{resource.Name}' would name its database '{database}', a word PostgreSQL reserves, which RDS refuses as a database name.",
                $"Rename the resource, e.g. '{resource.Name}-db'.");
        }
    }

    internal override ResourceGrant Grant(PlanContext context, ResourceSpec resource)
    {
        var sid = Casing.Camel("x", resource.Name)[1..];
        ImmutableArray<IamStatement> statements = DatabaseUserArn(context, resource) is { } user
            ? [new IamStatement(sid + "Connect", ConnectActions, user)]
            : [];
        return new ResourceGrant(resource.Name, [PostgresResources.Port], UsesAwsApis: true, statements,
            new ConnectionSource(LogicalNames.ConnectionSecret(resource.Name), IsSecret: true, PrefixWhenSeveral: ConnectionConfig.Key(resource.Name, "")));
    }

    /// <summary>The price table's section for this kind (<see cref="DatabasePrices"/>).</summary>
    internal const string PriceSection = "rds";

    /// <inheritdoc/>
    internal override ImmutableArray<string> PricedTypes => [AwsTypes.DbInstance];

    internal override (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced)
    {
        if (resource.Type != AwsTypes.DbInstance)
        {
            return null;
        }

        var instanceClass = Text(resource.Inputs, "instanceClass") ?? "(none)";
        var storage = Number(resource.Inputs, "allocatedStorage") ?? 0;
        if (prices.Section(PriceSection, DatabasePricesJson.Default.DatabasePrices) is not { } rds)
        {
            unpriced.Add($"{resource.Name} ({instanceClass})");
            return (0m, $"no price for {instanceClass}; {Num(storage)} GB gp3");
        }

        var multiAz = Bool(resource.Inputs, "multiAz") == true;
        var factor = multiAz ? rds.MultiAzMultiplier : 1;
        var storageCost = storage * rds.Gp3GbMonth * factor;
        var placement = multiAz ? $"Multi-AZ x{Num(factor)}" : "single-AZ";
        if (!rds.InstanceClasses.TryGetValue(instanceClass, out var price))
        {
            unpriced.Add($"{resource.Name} ({instanceClass})");
            return (storageCost, $"no price for {instanceClass}; {Num(storage)} GB gp3, {placement}");
        }

        var compute = price.Hourly * prices.HoursPerMonth * factor;
        return (compute + storageCost,
            $"{instanceClass}{(price.Approximate ? " (approximate price)" : "")} x {Num(prices.HoursPerMonth)} h + {Num(storage)} GB gp3, {placement}");
    }

    /// <summary>
    /// Database access (<c>rds-db:connect</c>) needs the database user's ARN,
    /// <c>arn:aws:rds-db:{region}:{account}:dbuser:{resourceId}/{user}</c>, and a plan cannot look up the region or
    /// account (that takes a provider function call). The statement is therefore granted only when the target names
    /// both its region and account (the <c>awsRegion</c> and <c>awsAccountId</c> config entries); otherwise services
    /// still connect with the password from the database's connection secret. The ARN assumes the commercial
    /// <c>aws</c> partition.
    /// </summary>
    private static PlanValue? DatabaseUserArn(PlanContext context, ResourceSpec database)
    {
        if (context.Target.AwsRegion is not { } region || context.Target.AwsAccountId is not { } account)
        {
            return null;
        }

        // The same entries (and values) the provider planner declares for the provider; declaring again is a no-op.
        context.Builder.AddConfig(new(ProviderPlanner.AwsRegionKey, "string", false, "AWS region of the target account.", null), new(region, false));
        context.Builder.AddConfig(new(ProviderPlanner.AwsAccountKey, "string", false, "The only AWS account this stack may deploy to.", null), new(account, false));
        return PlanValue.Concat(
            "arn:aws:rds-db:", PlanValue.Config(ProviderPlanner.AwsRegionKey), ":", PlanValue.Config(ProviderPlanner.AwsAccountKey),
            ":dbuser:", PlanValue.Ref(PostgresNames.Instance(database.Name), "resourceId"), "/", PostgresResources.MasterUsername);
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    internal override IEnumerable<(string RuleId, string Requires)> Guardrails =>
    [
        (GuardrailIds.EncryptionAtRest, "RDS storage is encrypted."),
        (GuardrailIds.ProdDatabaseProtection, $"Every RDS instance is multi-AZ, has deletion protection, at least {GuardrailRules.MinimumProdBackupDays} days of backups, a final snapshot and the protect option."),
        (GuardrailIds.NoPublicNetworkAccess, "No RDS instance is publicly accessible."),
    ];

    // The database's share of the shared guardrails: encryption (PLT002), prod protection (PLT004), no public access (PLT011).
    internal override IEnumerable<(string Resource, string Message)> Violations(string ruleId, ResourcePlan plan)
    {
        var instances = plan.OfType(AwsTypes.DbInstance);
        if (ruleId == GuardrailRules.EncryptionAtRest.Id)
        {
            return instances.Where(i => Bool(i.Inputs, "storageEncrypted") != true)
                .Select(i => (i.Name, $"Database '{i.Name}' stores data unencrypted. Set storageEncrypted: true (changing it replaces the instance: restore from an encrypted snapshot)."));
        }

        if (ruleId == GuardrailRules.ProdDatabaseProtection.Id && plan.Tier == Tier.Prod)
        {
            return UnprotectedInProd(instances);
        }

        if (ruleId == GuardrailRules.NoPublicNetworkAccess.Id)
        {
            return instances.Where(i => Bool(i.Inputs, "publiclyAccessible") == true)
                .Select(i => (i.Name, $"Database '{i.Name}' is publicly accessible. Set publiclyAccessible: false; services reach it inside the VPC."));
        }

        return [];
    }

    private static IEnumerable<(string, string)> UnprotectedInProd(IEnumerable<PlannedResource> instances)
    {
        foreach (var instance in instances)
        {
            var missing = new List<string>();
            if (Bool(instance.Inputs, "multiAz") != true)
            {
                missing.Add("multiAz: true");
            }

            if (Bool(instance.Inputs, "deletionProtection") != true)
            {
                missing.Add("deletionProtection: true");
            }

            if ((Number(instance.Inputs, "backupRetentionPeriod") ?? 0) < GuardrailRules.MinimumProdBackupDays)
            {
                missing.Add($"backupRetentionPeriod of at least {GuardrailRules.MinimumProdBackupDays}");
            }

            if (Bool(instance.Inputs, "skipFinalSnapshot") == true || Get(instance.Inputs, "finalSnapshotIdentifier") is null)
            {
                missing.Add("skipFinalSnapshot: false with a finalSnapshotIdentifier");
            }

            if (!instance.Options.Protect)
            {
                missing.Add("the protect resource option");
            }

            if (missing.Count > 0)
            {
                yield return (instance.Name, $"Prod database '{instance.Name}' lacks {string.Join(", ", missing)}. Set them so a failure or a mistaken delete loses no data.");
            }
        }
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}

/// <summary>What the tier decides for a <c>postgres</c> resource.</summary>
/// <param name="Small">Instance class of size <c>small</c>.</param>
/// <param name="Medium">Instance class of size <c>medium</c>.</param>
/// <param name="Large">Instance class of size <c>large</c>.</param>
/// <param name="StorageGb">Allocated storage in GiB.</param>
/// <param name="MultiAz">Whether the instance has a standby in another availability zone.</param>
/// <param name="BackupRetentionDays">Days of automated backups.</param>
/// <param name="DeletionProtection">Whether the instance refuses deletion and Pulumi protects it.</param>
internal sealed record PostgresTiers(string Small, string Medium, string Large, int StorageGb, bool MultiAz, int BackupRetentionDays, bool DeletionProtection)
{
    public static PostgresTiers Dev { get; } = new("db.t4g.micro", "db.t4g.small", "db.t4g.medium", 20, false, 1, false);

    public static PostgresTiers Staging { get; } = new("db.t4g.small", "db.t4g.medium", "db.m7g.large", 50, false, 7, false);

    public static PostgresTiers Prod { get; } = new("db.m7g.large", "db.m7g.xlarge", "db.m7g.2xlarge", 100, true, 30, true);

    public static PostgresTiers For(Tier tier) => tier switch
    {
        Tier.Dev => Dev,
        Tier.Staging => Staging,
        _ => Prod,
    };

    /// <summary>Every instance class the tier uses, small to large.</summary>
    public ImmutableArray<string> InstanceClassList => [Small, Medium, Large];

    /// <summary>The instance class of a size class.</summary>
    public IReadOnlyDictionary<string, string> InstanceClasses => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["small"] = Small,
        ["medium"] = Medium,
        ["large"] = Large,
    };
}

/// <summary>The <c>rds</c> section of the price table: RDS PostgreSQL.</summary>
/// <param name="Engine">The database engine the prices are for.</param>
/// <param name="InstanceClasses">Single-AZ hourly price per instance class.</param>
/// <param name="MultiAzMultiplier">Factor for a Multi-AZ instance's compute and storage.</param>
/// <param name="Gp3GbMonth">gp3 storage per GB-month (single-AZ).</param>
/// <param name="Notes">What the prices include.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record DatabasePrices(
    string Engine,
    ImmutableSortedDictionary<string, InstancePrice> InstanceClasses,
    decimal MultiAzMultiplier,
    decimal Gp3GbMonth,
    string Notes,
    ImmutableArray<PriceSource> Sources);

/// <summary>Reads <see cref="DatabasePrices"/> with the price table's options (<see cref="PriceTableJson"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DatabasePrices))]
internal sealed partial class DatabasePricesJson : JsonSerializerContext;
