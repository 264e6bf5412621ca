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

namespace Platform.Components.Resources.Bucket;

/// <summary>
/// <c>bucket</c>: a private, encrypted S3 bucket (<see cref="BucketResources"/>), versioned or expiring by tier
/// (<see cref="BucketTiers"/>). Services that use it may read, write, delete and list its objects, over HTTPS, and
/// learn its generated name from its connection ConfigMap.
/// </summary>
internal sealed class BucketKind : ResourceKind
{
    /// <summary>The component type of a <c>bucket</c> resource.</summary>
    public const string ComponentToken = "platform:aws:Bucket";

    /// <summary>Object actions on a bucket's objects.</summary>
    public static readonly ImmutableArray<string> ObjectActions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"];

    /// <summary>Listing a bucket (on the bucket itself).</summary>
    public static readonly ImmutableArray<string> ListActions = ["s3:ListBucket"];

    /// <inheritdoc />
    public override string Name => "bucket";

    /// <inheritdoc />
    public override string Description => "Object store bucket (AWS S3), private and encrypted.";

    /// <inheritdoc />
    public override string ComponentType => ComponentToken;

    internal override int Order => 20;

    /// <inheritdoc />
    public override ImmutableArray<TierSetting> TierSettings { get; } =
    [
        TierSetting.From("bucket versioning", BucketTiers.For, t => t.Versioning ? "yes" : "no"),
        TierSetting.From("bucket object expiry (days)", BucketTiers.For, t => t.ExpirationDays is { } d ? d.ToString(CultureInfo.InvariantCulture) : "never"),
    ];

    internal override ImmutableArray<string> TaggableTypes => [AwsTypes.Bucket];

    internal override void Plan(PlanContext context, ResourceSpec resource) => BucketResources.Plan(context, resource);

    internal override ResourceGrant Grant(PlanContext context, ResourceSpec resource)
    {
        var sid = Casing.Camel("x", resource.Name)[1..];
        var arn = PlanValue.Ref(BucketNames.Bucket(resource.Name), "arn");
        return new ResourceGrant(resource.Name, [], UsesAwsApis: true,
            [new IamStatement(sid + "Objects", ObjectActions, PlanValue.Concat(arn, "/*")), new IamStatement(sid + "List", ListActions, arn)],
            new ConnectionSource(ConnectionConfig.LogicalName(resource.Name), IsSecret: false, PrefixWhenSeveral: null));
    }

    /// <summary>The price table's section for this kind (<see cref="BucketPrices"/>).</summary>
    internal const string PriceSection = "s3";

    /// <inheritdoc/>
    internal override ImmutableArray<string> PricedTypes => [AwsTypes.Bucket];

    internal override (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced)
    {
        if (resource.Type != AwsTypes.Bucket)
        {
            return null;
        }

        if (prices.Section(PriceSection, BucketPricesJson.Default.BucketPrices) is not { } s3)
        {
            unpriced.Add($"{resource.Name} (S3)");
            return (0m, "no price for S3");
        }

        return (s3.MonthlyPerBucket,
            $"assumed {Num(s3.AssumedGbStored)} GB, {Num(s3.AssumedPutRequests)} PUT and {Num(s3.AssumedGetRequests)} GET requests");
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static readonly string[] PublicAccessFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
    private static readonly string[] PublicAcls = ["public-read", "public-read-write", "authenticated-read"];

    internal override IEnumerable<(string RuleId, string Requires)> Guardrails =>
    [
        (GuardrailIds.NoPublicBucket, "Every S3 bucket has a public access block with all four settings on and no public ACL."),
        (GuardrailIds.EncryptionAtRest, "Every bucket has default encryption."),
        (GuardrailIds.BucketVersioning, "Every S3 bucket has versioning enabled."),
    ];

    // The bucket's share of the shared guardrails: public access (PLT001), encryption (PLT002), versioning (PLT009).
    internal override IEnumerable<(string Resource, string Message)> Violations(string ruleId, ResourcePlan plan)
    {
        if (ruleId == GuardrailRules.NoPublicBucket.Id)
        {
            return PublicAccess(plan);
        }

        if (ruleId == GuardrailRules.EncryptionAtRest.Id)
        {
            return plan.OfType(AwsTypes.Bucket)
                .Where(b => !Attached(plan, AwsTypes.BucketEncryption, b, "bucket")
                    .Any(e => Items(e.Inputs, "rules").Any(r => Text(r, "applyServerSideEncryptionByDefault.sseAlgorithm") is { Length: > 0 })))
                .Select(b => (b.Name, $"Bucket '{b.Name}' has no default encryption. Add an {AwsTypes.BucketEncryption} for it with sseAlgorithm AES256 or aws:kms."));
        }

        if (ruleId == GuardrailRules.BucketVersioning.Id)
        {
            return plan.OfType(AwsTypes.Bucket)
                .Where(b => !Attached(plan, AwsTypes.BucketVersioning, b, "bucket").Any(v => Text(v.Inputs, "versioningConfiguration.status") == "Enabled"))
                .Select(b => (b.Name, $"Bucket '{b.Name}' keeps no object versions. Add an {AwsTypes.BucketVersioning} with status Enabled so overwrites and deletes can be undone."));
        }

        return [];
    }

    private static IEnumerable<(string, string)> PublicAccess(ResourcePlan plan)
    {
        foreach (var bucket in plan.OfType(AwsTypes.Bucket))
        {
            if (Text(bucket.Inputs, "acl") is { } acl && PublicAcls.Contains(acl))
            {
                yield return (bucket.Name, $"Bucket '{bucket.Name}' grants the public ACL '{acl}'. Remove 'acl'; ownership controls with BucketOwnerEnforced disable ACLs.");
            }

            var blocks = Attached(plan, AwsTypes.BucketPublicAccessBlock, bucket, "bucket").ToList();
            if (blocks.Count == 0)
            {
                yield return (bucket.Name, $"Bucket '{bucket.Name}' has no public access block. Add an {AwsTypes.BucketPublicAccessBlock} for it with {string.Join(", ", PublicAccessFlags)} all true.");
                continue;
            }

            foreach (var block in blocks)
            {
                var off = PublicAccessFlags.Where(f => Bool(block.Inputs, f) != true).ToList();
                if (off.Count > 0)
                {
                    yield return (block.Name, $"Public access block '{block.Name}' of bucket '{bucket.Name}' leaves {string.Join(", ", off)} off. Set all four settings to true.");
                }
            }
        }
    }
}

/// <summary>What the tier decides for a <c>bucket</c> resource.</summary>
/// <param name="Versioning">Whether the bucket keeps object versions.</param>
/// <param name="ExpirationDays">Days after which objects expire, or <see langword="null"/> for never.</param>
internal sealed record BucketTiers(bool Versioning, int? ExpirationDays)
{
    public static BucketTiers For(Tier tier) => tier switch
    {
        Tier.Dev => new(false, 30),
        Tier.Staging => new(true, null),
        _ => new(true, null),
    };
}

/// <summary>The <c>s3</c> section of the price table: S3 and the usage a bucket is assumed to have.</summary>
/// <param name="StandardGbMonth">S3 Standard storage per GB-month.</param>
/// <param name="PutPer1000">PUT/COPY/POST/LIST requests per 1,000.</param>
/// <param name="GetPer1000">GET requests per 1,000.</param>
/// <param name="AssumedGbStored">GB a bucket is assumed to hold.</param>
/// <param name="AssumedPutRequests">PUT requests a bucket is assumed to get a month.</param>
/// <param name="AssumedGetRequests">GET requests a bucket is assumed to get a month.</param>
/// <param name="Notes">What the assumptions are.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record BucketPrices(
    decimal StandardGbMonth,
    decimal PutPer1000,
    decimal GetPer1000,
    decimal AssumedGbStored,
    decimal AssumedPutRequests,
    decimal AssumedGetRequests,
    string Notes,
    ImmutableArray<PriceSource> Sources)
{
    /// <summary>The assumed monthly cost of one bucket.</summary>
    public decimal MonthlyPerBucket =>
        (AssumedGbStored * StandardGbMonth) + (AssumedPutRequests / 1000m * PutPer1000) + (AssumedGetRequests / 1000m * GetPer1000);
}

/// <summary>Reads <see cref="BucketPrices"/> with the price table's options (<see cref="PriceTableJson"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(BucketPrices))]
internal sealed partial class BucketPricesJson : JsonSerializerContext;
