using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Aws;

public sealed class AwsPlannerTests
{
    private static readonly string[] TaggableTypes =
        [AwsTypes.DbInstance, AwsTypes.DbSubnetGroup, AwsTypes.SecurityGroup, AwsTypes.Bucket, AwsTypes.Queue, AwsTypes.Role];

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Every_aws_resource_uses_the_aws_provider_and_taggable_ones_carry_the_standard_tags(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var resources = AwsPlans.AwsResources(plan);

        Assert.NotEmpty(resources);
        Assert.All(resources, r => Assert.Equal(LogicalNames.AwsProvider, r.Options.Provider));
        Assert.All(resources.Where(r => TaggableTypes.Contains(r.Type)), r =>
        {
            var tags = r.Inputs.At("tags").Strings();
            Assert.Equal("payments", tags["team"]);
            Assert.Equal("checkout-staging", tags["environment"]);
            Assert.Equal(Ownership.TierName(tier), tags["tier"]);
            Assert.Equal("cc-1234", tags["cost-center"]);
            Assert.Equal("platform", tags["managed-by"]);
        });
        Assert.Equal(TaggableTypes.Order(StringComparer.Ordinal), resources.Select(r => r.Type).Where(TaggableTypes.Contains).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Target_facts_are_config_entries_with_the_targets_values()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal("string", plan.Config.Single(c => c.Key == AwsConfigKeys.VpcId).Type);
        Assert.Equal("List<String>", plan.Config.Single(c => c.Key == AwsConfigKeys.PrivateSubnetIds).Type);
        Assert.Equal("vpc-0abc", plan.StackConfig[AwsConfigKeys.VpcId].Value);
        Assert.Equal("[\"subnet-1\",\"subnet-2\"]", plan.StackConfig[AwsConfigKeys.PrivateSubnetIds].Value);
        Assert.Equal("sg-0cluster", plan.StackConfig[AwsConfigKeys.ClusterSecurityGroupId].Value);
        Assert.Equal(AwsPlans.FullTarget.OidcProviderArn, plan.StackConfig[AwsConfigKeys.OidcProviderArn].Value);
        Assert.Equal(AwsPlans.FullTarget.OidcProviderUrl, plan.StackConfig[AwsConfigKeys.OidcProviderUrl].Value);
        Assert.All(plan.Config, c => Assert.Null(c.Default));
    }

    [Fact]
    public void Nothing_account_specific_is_baked_into_resource_inputs()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var facts = new[] { "vpc-0abc", "subnet-1", "sg-0cluster", "123456789012", "eu-west-1", "oidc.eks" };

        Assert.All(plan.Resources.SelectMany(r => r.Inputs.Walk()).OfType<PlanValue.Text>(),
            t => Assert.DoesNotContain(facts, f => t.Value.Contains(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_target_without_the_facts_declares_the_entries_without_values()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(), DeploymentTarget.Default);

        foreach (var key in new[] { AwsConfigKeys.VpcId, AwsConfigKeys.PrivateSubnetIds, AwsConfigKeys.ClusterSecurityGroupId, AwsConfigKeys.OidcProviderArn, AwsConfigKeys.OidcProviderUrl })
        {
            Assert.Contains(plan.Config, c => c.Key == key);
            Assert.False(plan.StackConfig.ContainsKey(key), key);
        }
    }

    [Fact]
    public void Only_the_config_the_resources_need_is_declared()
    {
        var bucketOnly = TestSpecs.CheckoutStaging() with
        {
            Services = [.. TestSpecs.CheckoutStaging().Services.Select(s => s with { Uses = [] })],
            Resources = [ResourceSpec.Create("receipts", "bucket")],
        };
        var plan = AwsPlans.Compile(bucketOnly);

        Assert.DoesNotContain(plan.Config, c => c.Key is AwsConfigKeys.VpcId or AwsConfigKeys.PrivateSubnetIds or AwsConfigKeys.ClusterSecurityGroupId);
        Assert.DoesNotContain(plan.Config, c => c.Key is AwsConfigKeys.OidcProviderArn or AwsConfigKeys.OidcProviderUrl);
        Assert.Empty(plan.OfType(AwsTypes.Role));
        Assert.DoesNotContain(plan.Resources, r => r.Type == "pulumi:providers:random");
    }

    [Fact]
    public void An_environment_without_resources_has_no_aws_resources()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [.. TestSpecs.CheckoutStaging().Services.Select(s => s with { Uses = [] })],
            Resources = [],
        };

        Assert.Empty(AwsPlans.AwsResources(AwsPlans.Compile(spec)));
    }

    [Fact]
    public void Each_resource_is_a_component_of_its_type()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal(Components.Resources.Postgres.PostgresKind.ComponentToken, plan.Components.Single(c => c.Name == "orders-db").Type);
        Assert.Equal(Components.Resources.Bucket.BucketKind.ComponentToken, plan.Components.Single(c => c.Name == "receipts").Type);
        Assert.Equal(Components.Resources.Queue.QueueKind.ComponentToken, plan.Components.Single(c => c.Name == "events").Type);
        Assert.Single(plan.Components, c => c.Name == "api");
    }

    [Fact]
    public void The_plan_is_deterministic()
    {
        var first = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var second = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal(first.Resources, second.Resources);
    }
}
