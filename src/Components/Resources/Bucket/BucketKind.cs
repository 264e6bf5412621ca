using System.Collections.Immutable;
using System.Globalization;
using Platform.Components.Aws;
using Platform.Components.Costs;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;

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
        var arn = PlanValue.Ref(AwsNames.Bucket(resource.Name), "arn");
        return new ResourceGrant(resource.Name, [], UsesAwsApis: true,
            [new IamStatement(sid + "Objects", ObjectActions, PlanValue.Concat(arn, "/*")), new IamStatement(sid + "List", ListActions, arn)],
            new ConnectionSource(ConnectionConfig.LogicalName(resource.Name), ConnectionConfig.ObjectName(resource.Name), IsSecret: false, PrefixWhenSeveral: null));
    }

    internal override (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced) =>
        resource.Type != AwsTypes.Bucket
            ? null
            : (prices.S3.MonthlyPerBucket,
                $"assumed {Num(prices.S3.AssumedGbStored)} GB, {Num(prices.S3.AssumedPutRequests)} PUT and {Num(prices.S3.AssumedGetRequests)} GET requests");

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
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
