using System.Text.RegularExpressions;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Rendering;
using Platform.Components.Resources.Cache;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;
using Platform.Components.Tests.Rendering;

namespace Platform.Components.Tests.Resources.Cache;

public sealed partial class CacheResourcesTests
{
    private static EnvironmentSpec WithCache(Tier tier = Tier.Staging, string? engine = null, string? size = null)
    {
        var cache = ResourceSpec.Create("sessions", "cache");
        cache = engine is null ? cache : cache.With("engine", engine);
        cache = size is null ? cache : cache.With("size", size);
        var spec = TestSpecs.CheckoutStaging(tier);
        return spec with
        {
            Target = AwsPlans.FullTarget.Name,
            Ttl = tier == Tier.Prod ? null : spec.Ttl,
            Resources = [.. spec.Resources, cache],
            Services = [spec.Services[0] with { Uses = [.. spec.Services[0].Uses, "sessions"] }, .. spec.Services[1..]],
        };
    }

    [Theory]
    [InlineData(Tier.Dev, null, "cache.t4g.micro", 1, 0)]
    [InlineData(Tier.Staging, "medium", "cache.t4g.medium", 1, 1)]
    [InlineData(Tier.Prod, "large", "cache.m7g.2xlarge", 2, 7)]
    public void The_replication_group_is_encrypted_private_and_sized_and_protected_by_the_tier(Tier tier, string? size, string nodeType, int nodes, int snapshotDays)
    {
        var plan = AwsPlans.Compile(WithCache(tier, size: size));
        var group = plan["sessions-replication-group"];
        var prod = tier == Tier.Prod;

        Assert.Equal("aws:elasticache/replicationGroup:ReplicationGroup", group.Type);
        Assert.Equal("sessions", group.Component);
        Assert.Equal(LogicalNames.AwsProvider, group.Options.Provider);
        Assert.Equal("valkey", group.Inputs.At("engine").Text());
        Assert.Equal("8.0", group.Inputs.At("engineVersion").Text());
        Assert.Equal(nodeType, group.Inputs.At("nodeType").Text());
        Assert.Equal(nodes, group.Inputs.At("numCacheClusters").Number());
        Assert.Equal(prod, group.Inputs.At("automaticFailoverEnabled").Bool());
        Assert.Equal(prod, group.Inputs.At("multiAzEnabled").Bool());
        Assert.Equal(snapshotDays, group.Inputs.At("snapshotRetentionLimit").Number());
        Assert.Equal(prod, group.Inputs.At("finalSnapshotIdentifier") is not null);
        Assert.True(group.Inputs.At("atRestEncryptionEnabled").Bool());
        Assert.True(group.Inputs.At("transitEncryptionEnabled").Bool());
        Assert.Equal(6379, group.Inputs.At("port").Number());
        Assert.Equal("${sessions-cache-subnet-group.name}", AwsPlans.Describe(group.Inputs.At("subnetGroupName")));
        Assert.Equal("${sessions-cache-security-group.id}", AwsPlans.Describe(Assert.Single(group.Inputs.At("securityGroupIds").Items())));
        Assert.Equal(prod, group.Options.Protect);
        Assert.Equal("checkout-staging-sessions", group.Inputs.At("replicationGroupId").Text());
    }

    [Fact]
    public void Redis_is_the_other_engine()
    {
        var group = AwsPlans.Compile(WithCache(engine: "redis"))["sessions-replication-group"];

        Assert.Equal("redis", group.Inputs.At("engine").Text());
        Assert.Equal("7.1", group.Inputs.At("engineVersion").Text());
    }

    [Fact]
    public void The_auth_token_is_generated_secret_and_never_a_literal()
    {
        var plan = AwsPlans.Compile(WithCache());
        var token = plan["sessions-auth-token"];
        var group = plan["sessions-replication-group"];

        Assert.Equal(AwsTypes.RandomPassword, token.Type);
        Assert.Equal(LogicalNames.RandomProvider, token.Options.Provider);
        Assert.InRange(token.Inputs.At("length").Number()!.Value, 16, 128);
        Assert.False(token.Inputs.At("special").Bool());
        Assert.Contains("result", token.Options.AdditionalSecretOutputs);
        Assert.Equal(PlanValue.SecretOf(PlanValue.Ref("sessions-auth-token", "result")), group.Inputs.At("authToken"));
        Assert.Equal("ROTATE", group.Inputs.At("authTokenUpdateStrategy").Text());
        Assert.Contains("authToken", group.Options.AdditionalSecretOutputs);
        Assert.Contains(plan.Resources, r => r.Name == LogicalNames.RandomProvider);
    }

    [Fact]
    public void The_security_group_admits_only_the_cluster_on_6379_and_the_subnet_group_is_private()
    {
        var plan = AwsPlans.Compile(WithCache());
        var group = plan["sessions-cache-security-group"];
        var rule = Assert.Single(group.Inputs.At("ingress").Items());
        var subnets = plan["sessions-cache-subnet-group"];

        Assert.Equal(PlanValue.Config(AwsConfigKeys.VpcId), group.Inputs.At("vpcId"));
        Assert.Equal("tcp", rule.At("protocol").Text());
        Assert.Equal(6379, rule.At("fromPort").Number());
        Assert.Equal(6379, rule.At("toPort").Number());
        Assert.Equal([PlanValue.Config(AwsConfigKeys.ClusterSecurityGroupId)], rule.At("securityGroups").Items());
        Assert.Null(rule.At("cidrBlocks"));
        Assert.Null(group.Inputs.At("egress"));
        Assert.Matches(SecurityGroupDescription(), group.Inputs.At("description").Text());
        Assert.Matches(SecurityGroupDescription(), rule.At("description").Text());
        Assert.Equal("aws:elasticache/subnetGroup:SubnetGroup", subnets.Type);
        Assert.Equal(PlanValue.Config(AwsConfigKeys.PrivateSubnetIds), subnets.Inputs.At("subnetIds"));
    }

    [Fact]
    public void The_final_snapshot_of_a_prod_cache_is_named_once_per_replication_group_lifetime()
    {
        var plan = AwsPlans.Compile(WithCache(Tier.Prod));
        var suffix = plan[FinalSnapshots.Suffix("sessions")];

        // A fixed "<id>-final" failed the second destroy of a recreated environment (SnapshotAlreadyExistsFault).
        Assert.Equal("checkout-staging-sessions-final-${sessions-final-snapshot-suffix.hex}",
            AwsPlans.Describe(plan["sessions-replication-group"].Inputs.At("finalSnapshotIdentifier")));
        Assert.Equal(AwsTypes.RandomId, suffix.Type);
        Assert.Equal("sessions", suffix.Component);
        Assert.Equal(LogicalNames.RandomProvider, suffix.Options.Provider);
        Assert.Equal(FinalSnapshots.SuffixBytes, suffix.Inputs.At("byteLength").Number());
        Assert.DoesNotContain(AwsPlans.Compile(WithCache(Tier.Staging)).Resources, r => r.Name == FinalSnapshots.Suffix("sessions"));

        var rendered = PulumiYaml.Json(PulumiYamlRenderer.Render(PlanCompiler.Compile(WithCache(Tier.Prod), DeploymentTarget.Default)).Program);
        Assert.Equal("checkout-staging-sessions-final-${sessions-final-snapshot-suffix.hex}",
            (string?)rendered["resources"]!["sessions-replication-group"]!["properties"]!["finalSnapshotIdentifier"]);
        Assert.Equal(AwsTypes.RandomId, (string?)rendered["resources"]!["sessions-final-snapshot-suffix"]!["type"]);
    }

    [Fact]
    public void Users_load_a_connection_secret_with_prefixed_keys_and_a_secret_token()
    {
        var plan = AwsPlans.Compile(WithCache());
        var secret = plan[LogicalNames.ConnectionSecret("sessions")];
        var data = secret.Inputs.At("stringData")!;

        Assert.Equal(KubernetesTypes.Secret, secret.Type);
        Assert.Equal("sessions", secret.Component);
        Assert.Equal("${sessions-replication-group.primaryEndpointAddress}", AwsPlans.Describe(data.At("SESSIONS_HOST")));
        Assert.Equal("6379", data.At("SESSIONS_PORT").Text());
        Assert.Equal("true", data.At("SESSIONS_TLS").Text());
        Assert.IsType<PlanValue.Secret>(data.At("SESSIONS_AUTH_TOKEN"));
        Assert.Equal("secret(rediss://:${sessions-auth-token.result}@${sessions-replication-group.primaryEndpointAddress}:6379)", AwsPlans.Describe(data.At("SESSIONS_URL")));

        var deployment = plan["api-deployment"];
        Assert.Contains(LogicalNames.ConnectionSecret("sessions"), deployment.Dependencies);
        var envFrom = deployment.Inputs.At("spec.template.spec.containers.0.envFrom").Items();
        var source = Assert.Single(envFrom, e => e.At("secretRef.name") == PlanValue.Ref("sessions-connection", "metadata.name"));
        Assert.Null(source.At("prefix"));
        // The database's libpq variables still come first and keep their plain names.
        Assert.Equal(PlanValue.Ref("orders-db-connection", "metadata.name"), envFrom[0].At("secretRef.name"));
        Assert.Null(envFrom[0].At("prefix"));
    }

    [Fact]
    public void A_service_using_only_a_cache_gets_egress_to_6379_and_no_role()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [ServiceSpec.Create("web", ServiceType.Web, "registry.example.com/team/web:1.0.0") with { Uses = ["sessions"] }],
            Resources = [ResourceSpec.Create("sessions", "cache")],
        };
        var plan = AwsPlans.Compile(spec);
        var egress = plan["web-network-policy"].Inputs.At("spec.egress").Items();

        Assert.Equal([53, 53, 6379], egress.SelectMany(r => r.At("ports").Items()).Select(p => (int)p.At("port").Number()!.Value));
        Assert.Equal([AwsPlans.FullTarget.VpcCidr ?? "10.0.0.0/8"], egress[^1].At("to").Items().Select(t => t.At("ipBlock.cidr").Text()).Take(1));
        Assert.DoesNotContain(plan.Resources, r => r.Type == AwsTypes.Role || r.Type == AwsTypes.RolePolicy);
        Assert.False(plan["web-service-account"].Inputs.At("automountServiceAccountToken").Bool());
        Assert.DoesNotContain(plan.Config, c => c.Key == AwsConfigKeys.OidcProviderArn);
        Assert.Contains(plan.Config, c => c.Key == AwsConfigKeys.VpcId);
    }

    [Fact]
    public void Outputs_name_the_endpoint_and_port()
    {
        var plan = AwsPlans.Compile(WithCache());

        Assert.Equal(PlanValue.Ref("sessions-replication-group", "primaryEndpointAddress"), plan.Outputs.Single(o => o.Name == "sessionsCacheEndpoint").Value);
        Assert.Equal(PlanValue.Ref("sessions-replication-group", "port"), plan.Outputs.Single(o => o.Name == "sessionsCachePort").Value);
    }

    [Theory]
    [InlineData("checkout-staging", "sessions", "checkout-staging-sessions")]
    [InlineData("a-very-long-environment-name-for-caches", "session-store", null)]
    public void Replication_group_ids_follow_the_elasticache_rules(string environment, string cache, string? expected)
    {
        var id = CacheResources.ReplicationGroupId(environment, cache);

        Assert.Matches(ReplicationGroupIdRule(), id);
        Assert.DoesNotContain("--", id, StringComparison.Ordinal);
        if (expected is not null)
        {
            Assert.Equal(expected, id);
        }
    }

    [Fact]
    public void A_prod_cache_passes_every_guardrail_and_a_weakened_one_is_blocked()
    {
        var result = EnvironmentPipeline.Run(WithCache(Tier.Prod), TargetSettings.From([AwsPlans.FullTarget]));
        Assert.True(result.Succeeded);
        Assert.DoesNotContain(result.Policy.Violations, v => v.Resource.StartsWith("sessions", StringComparison.Ordinal));

        var plan = result.Plan;
        var group = plan["sessions-replication-group"];
        var weakened = plan with
        {
            Resources = [.. plan.Resources.Select(r => r.Name != group.Name ? r : r with
            {
                Inputs = r.Inputs.With("atRestEncryptionEnabled", false).With("multiAzEnabled", false).With("snapshotRetentionLimit", 1),
            })],
        };
        Assert.Contains(GuardrailRules.EncryptionAtRest.Evaluate(weakened), v => v.Resource == group.Name);
        Assert.Contains(GuardrailRules.ProdDatabaseProtection.Evaluate(weakened), v => v.Resource == group.Name);
        var untagged = weakened with { Resources = [.. weakened.Resources.Select(r => r.Name != group.Name ? r : r with { Inputs = r.Inputs.Without("tags") })] };
        Assert.Contains(GuardrailRules.StandardTags.Evaluate(untagged), v => v.Resource == group.Name);
    }

    [Fact]
    public void A_cache_spec_renders_to_a_program_with_its_resources()
    {
        var result = EnvironmentPipeline.Run(WithCache(), TargetSettings.From([AwsPlans.FullTarget]));
        var program = PulumiYamlRenderer.Render(result.Plan!);
        var yaml = PulumiYaml.Json(program.Program);

        Assert.Equal("aws:elasticache/replicationGroup:ReplicationGroup", (string)yaml["resources"]!["sessions-replication-group"]!["type"]!);
        Assert.Equal("aws:elasticache/subnetGroup:SubnetGroup", (string)yaml["resources"]!["sessions-cache-subnet-group"]!["type"]!);
        Assert.Empty(program.UnsetConfigKeys);
        Assert.DoesNotContain("rediss://:", program.StackSettings ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void The_cost_counts_every_node_with_the_valkey_discount()
    {
        var result = EnvironmentPipeline.Run(WithCache(Tier.Prod), TargetSettings.From([AwsPlans.FullTarget]));
        var cost = Assert.Single(result.Cost!.Resources, c => c.Resource == "sessions-replication-group");

        // 2 x cache.m7g.large at 0.158 USD/h, 20% off for Valkey, 730 h.
        Assert.Equal(Math.Round(2 * 0.158m * 0.8m * 730, 2), cost.Monthly);
        Assert.Contains("approximate", cost.Basis, StringComparison.Ordinal);
        Assert.Empty(result.Cost.Unpriced);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]
    private static partial Regex ReplicationGroupIdRule();

    [GeneratedRegex(@"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$")]
    private static partial Regex SecurityGroupDescription();
}
