using Platform.Components.Resources.Bucket;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Resources.Bucket;

/// <summary>Every tier setting of a bucket is asserted here.</summary>
public sealed class BucketTiersTests
{
    [Fact]
    public void Dev_buckets_keep_no_versions_and_expire_objects_after_30_days() =>
        Assert.Equal(new BucketTiers(Versioning: false, ExpirationDays: 30), BucketTiers.For(Tier.Dev));

    [Theory]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Staging_and_prod_buckets_keep_versions_and_never_expire_objects(Tier tier) =>
        Assert.Equal(new BucketTiers(Versioning: true, ExpirationDays: null), BucketTiers.For(tier));
}
