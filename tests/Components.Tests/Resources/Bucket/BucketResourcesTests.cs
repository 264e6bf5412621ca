using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Resources.Bucket;
using Platform.Components.Specs;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Resources.Bucket;

public sealed class BucketResourcesTests
{
    // Inline settings the provider deprecates in favour of separate resources (from the 7.48.0 schema).
    private static readonly string[] DeprecatedBucketInputs =
    [
        "accelerationStatus", "acl", "corsRules", "grants", "lifecycleRules", "logging", "objectLockConfiguration", "policy",
        "replicationConfiguration", "requestPayer", "serverSideEncryptionConfiguration", "versioning", "website",
    ];

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Every_public_access_block_is_on_and_acls_are_disabled(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var block = plan["receipts-public-access-block"];
        var ownership = plan["receipts-ownership"];

        Assert.Equal(AwsTypes.BucketPublicAccessBlock, block.Type);
        Assert.Equal(PlanValue.Ref("receipts-bucket", "bucket"), block.Inputs.At("bucket"));
        foreach (var flag in new[] { "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets" })
        {
            Assert.True(block.Inputs.At(flag).Bool(), flag);
        }

        Assert.Equal(AwsTypes.BucketOwnershipControls, ownership.Type);
        Assert.Equal("BucketOwnerEnforced", ownership.Inputs.At("rule.objectOwnership").Text());
    }

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Objects_are_encrypted_by_default(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var encryption = plan["receipts-encryption"];

        Assert.Equal(AwsTypes.BucketEncryption, encryption.Type);
        Assert.Equal(PlanValue.Ref("receipts-bucket", "bucket"), encryption.Inputs.At("bucket"));
        Assert.Equal("AES256", encryption.Inputs.At("rules.0.applyServerSideEncryptionByDefault.sseAlgorithm").Text());
    }

    [Theory]
    [InlineData(Tier.Dev, false, 30)]
    [InlineData(Tier.Staging, true, null)]
    [InlineData(Tier.Prod, true, null)]
    public void Staging_and_prod_keep_versions_and_dev_expires_objects(Tier tier, bool versioned, int? expiryDays)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var versioning = plan.Resources.SingleOrDefault(r => r.Name == "receipts-versioning");
        var lifecycle = plan.Resources.SingleOrDefault(r => r.Name == "receipts-lifecycle");

        Assert.Equal(versioned, versioning is not null);
        if (versioning is not null)
        {
            Assert.Equal(AwsTypes.BucketVersioning, versioning.Type);
            Assert.Equal("Enabled", versioning.Inputs.At("versioningConfiguration.status").Text());
        }

        Assert.Equal(expiryDays is not null, lifecycle is not null);
        if (lifecycle is not null)
        {
            var rule = Assert.Single(lifecycle.Inputs.At("rules").Items());
            Assert.Equal(AwsTypes.BucketLifecycle, lifecycle.Type);
            Assert.Equal("Enabled", rule.At("status").Text());
            Assert.Equal(expiryDays, (int?)rule.At("expiration.days").Number());
            Assert.Equal(string.Empty, rule.At("filter.prefix").Text());
        }
    }

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Prod)]
    public void The_bucket_uses_a_prefix_no_deprecated_inline_settings_and_keeps_prod_data(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var bucket = plan["receipts-bucket"];
        var prefix = bucket.Inputs.At("bucketPrefix").Text()!;

        Assert.Equal(AwsTypes.Bucket, bucket.Type);
        Assert.Equal("checkout-staging-receipts-", prefix);
        Assert.True(prefix.Length <= 37);
        Assert.Null(bucket.Inputs.At("bucket"));
        Assert.DoesNotContain(bucket.Inputs.Entries, e => DeprecatedBucketInputs.Contains(e.Key));
        Assert.Equal(tier != Tier.Prod, bucket.Inputs.At("forceDestroy").Bool());
    }

    [Fact]
    public void Long_bucket_prefixes_fit_the_limit()
    {
        var prefix = BucketNames.BucketPrefix(new string('e', 40), "receipts");

        Assert.Equal(37, prefix.Length);
        Assert.EndsWith("-", prefix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sthree-dev", "b-sthree-dev-receipts-")]
    [InlineData("amzn-s3-demo", "b-amzn-s3-demo-receipts-")]
    [InlineData("amzn-s3-dev", "amzn-s3-dev-receipts-")]
    [InlineData("sthreedev", "sthreedev-receipts-")]
    public void A_prefix_never_starts_as_s3_reserves(string environment, string expected)
    {
        var prefix = BucketNames.BucketPrefix(environment, "receipts");

        Assert.Equal(expected, prefix);
        Assert.InRange(prefix.Length, 2, BucketNames.BucketPrefixLimit);
    }

    [Fact]
    public void A_long_reserved_prefix_still_fits_the_limit()
    {
        var prefix = BucketNames.BucketPrefix("sthree-" + new string('e', 33), "receipts");

        Assert.StartsWith("b-sthree-", prefix, StringComparison.Ordinal);
        Assert.Equal(37, prefix.Length);
    }

    [Fact]
    public void The_bucket_name_is_an_output()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var output = plan.Outputs.Single(o => o.Name == "receiptsBucket");

        Assert.Equal(PlanValue.Ref("receipts-bucket", "bucket"), output.Value);
        Assert.Equal("receipts", output.Component);
    }
}
