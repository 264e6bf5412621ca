using System.Text.RegularExpressions;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Resources.Postgres;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;
using Platform.Components.Tests.Rendering;

namespace Platform.Components.Tests.Resources.Postgres;

public sealed partial class PostgresResourcesTests
{
    [Theory]
    [InlineData(Tier.Dev, "small", "db.t4g.micro")]
    [InlineData(Tier.Staging, "medium", "db.t4g.medium")]
    [InlineData(Tier.Prod, "large", "db.m7g.2xlarge")]
    public void The_instance_is_encrypted_private_and_sized_and_protected_by_the_tier(Tier tier, string size, string instanceClass)
    {
        var spec = TestSpecs.CheckoutStaging(tier) with { Resources = [ResourceSpec.Create("orders-db", "postgres").With("size", size)] };
        var plan = AwsPlans.Compile(spec);
        var profile = PostgresTiers.For(tier);
        var instance = plan["orders-db-instance"];
        var prod = tier == Tier.Prod;

        Assert.Equal(AwsTypes.DbInstance, instance.Type);
        Assert.Equal("orders-db", instance.Component);
        Assert.Equal(LogicalNames.AwsProvider, instance.Options.Provider);
        Assert.Equal("postgres", instance.Inputs.At("engine").Text());
        Assert.Equal("16", instance.Inputs.At("engineVersion").Text());
        Assert.Equal(instanceClass, instance.Inputs.At("instanceClass").Text());
        Assert.Equal(profile.StorageGb, instance.Inputs.At("allocatedStorage").Number());
        Assert.Equal("gp3", instance.Inputs.At("storageType").Text());
        Assert.True(instance.Inputs.At("storageEncrypted").Bool());
        Assert.False(instance.Inputs.At("publiclyAccessible").Bool());
        Assert.Equal(prod, instance.Inputs.At("multiAz").Bool());
        Assert.Equal(prod, instance.Inputs.At("deletionProtection").Bool());
        Assert.Equal(profile.BackupRetentionDays, instance.Inputs.At("backupRetentionPeriod").Number());
        Assert.Equal(!prod, instance.Inputs.At("skipFinalSnapshot").Bool());
        Assert.Equal(prod, instance.Inputs.At("finalSnapshotIdentifier") is not null);
        Assert.Equal(!prod, instance.Inputs.At("deleteAutomatedBackups").Bool());
        Assert.True(instance.Inputs.At("copyTagsToSnapshot").Bool());
        Assert.True(instance.Inputs.At("iamDatabaseAuthenticationEnabled").Bool());
        Assert.Equal(prod, instance.Options.Protect);
        Assert.Equal(5432, instance.Inputs.At("port").Number());
        Assert.Equal("orders_db", instance.Inputs.At("dbName").Text());
        Assert.Equal("${orders-db-subnet-group.name}", AwsPlans.Describe(instance.Inputs.At("dbSubnetGroupName")));
        Assert.Equal("${orders-db-security-group.id}", AwsPlans.Describe(instance.Inputs.At("vpcSecurityGroupIds.0")));
        Assert.Single(instance.Inputs.At("vpcSecurityGroupIds").Items());
    }

    [Fact]
    public void The_final_snapshot_of_a_prod_database_is_named_once_per_instance_lifetime()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(Tier.Prod));
        var suffix = plan[FinalSnapshots.Suffix("orders-db")];

        // A fixed "<id>-final" failed the second destroy of a recreated environment (DBSnapshotAlreadyExists).
        Assert.Equal("checkout-staging-orders-db-final-${orders-db-final-snapshot-suffix.hex}",
            AwsPlans.Describe(plan["orders-db-instance"].Inputs.At("finalSnapshotIdentifier")));
        Assert.Equal(AwsTypes.RandomId, suffix.Type);
        Assert.Equal("orders-db", suffix.Component);
        Assert.Equal(LogicalNames.RandomProvider, suffix.Options.Provider);
        // byteLength is all it takes: a change of byteLength, prefix or keepers would replace it (a new suffix).
        Assert.Equal(["byteLength"], suffix.Inputs.Entries.Select(e => e.Key));
        Assert.Equal(FinalSnapshots.SuffixBytes, suffix.Inputs.At("byteLength").Number());
        Assert.Contains(FinalSnapshots.Suffix("orders-db"), plan["orders-db-instance"].Dependencies);
        Assert.Equal(plan.Resources, AwsPlans.Compile(TestSpecs.CheckoutStaging(Tier.Prod)).Resources);
    }

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    public void Disposable_tiers_take_no_final_snapshot_and_make_no_suffix(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));

        Assert.Null(plan["orders-db-instance"].Inputs.At("finalSnapshotIdentifier"));
        Assert.DoesNotContain(plan.Resources, r => r.Type == AwsTypes.RandomId);
    }

    [Theory]
    [InlineData("checkout-staging-orders-db")]
    [InlineData("a")]
    [InlineData("x23456789-123456789-123456789-123456789-123456789-123456789-123")] // the longest instance identifier
    public void Final_snapshot_identifiers_keep_the_rds_rules_with_any_suffix(string identifier)
    {
        foreach (var hex in new[] { "00000000", "0a1b2c3d", "ffffffff" })
        {
            var snapshot = AwsPlans.Describe(FinalSnapshots.Identifier(identifier, "db")).Replace("${db-final-snapshot-suffix.hex}", hex, StringComparison.Ordinal);

            // A letter first; letters, digits and hyphens; no "--"; no trailing hyphen; at most 255 characters
            // (hashicorp/terraform-provider-aws internal/service/rds/instance.go, final_snapshot_identifier).
            Assert.Matches(RdsIdentifierRule(), snapshot);
            Assert.True(snapshot.Length <= FinalSnapshots.MaxLength);
            Assert.EndsWith($"-final-{hex}", snapshot, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_rendered_program_names_the_final_snapshot_from_the_random_suffix()
    {
        var program = PulumiYaml.Json(PulumiYamlRenderer.Render(PlanCompiler.Compile(TestSpecs.CheckoutStaging(Tier.Prod), DeploymentTarget.Default)).Program);
        var resources = program["resources"]!;

        Assert.Equal("checkout-staging-orders-db-final-${orders-db-final-snapshot-suffix.hex}",
            (string?)resources["orders-db-instance"]!["properties"]!["finalSnapshotIdentifier"]);
        Assert.Equal(AwsTypes.RandomId, (string?)resources["orders-db-final-snapshot-suffix"]!["type"]);
        Assert.Equal(4L, (long?)resources["orders-db-final-snapshot-suffix"]!["properties"]!["byteLength"]);
        Assert.Equal("${random-provider}", (string?)resources["orders-db-final-snapshot-suffix"]!["options"]!["provider"]);
    }

    [Fact]
    public void A_prod_database_with_its_generated_final_snapshot_passes_the_protection_guardrail()
    {
        // The rule wants a finalSnapshotIdentifier; an interpolation of the suffix's output is one.
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(Tier.Prod));

        Assert.Empty(Platform.Components.Policies.GuardrailRules.ProdDatabaseProtection.Evaluate(plan));
        var withoutSnapshot = plan["orders-db-instance"] with { Inputs = plan["orders-db-instance"].Inputs.Without("finalSnapshotIdentifier") };
        Assert.Contains("finalSnapshotIdentifier", Assert.Single(Platform.Components.Policies.GuardrailRules.ProdDatabaseProtection.Evaluate(
            plan with { Resources = plan.Resources.Replace(plan["orders-db-instance"], withoutSnapshot) })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_master_password_is_generated_secret_and_never_a_literal()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var password = plan["orders-db-password"];
        var instance = plan["orders-db-instance"];

        Assert.Equal(AwsTypes.RandomPassword, password.Type);
        Assert.Equal(LogicalNames.RandomProvider, password.Options.Provider);
        Assert.Equal(32, password.Inputs.At("length").Number());
        Assert.True(password.Inputs.At("special").Bool());
        Assert.DoesNotContain(password.Inputs.At("overrideSpecial").Text()!, c => c is '/' or '@' or '"' or ' ');
        Assert.Contains("result", password.Options.AdditionalSecretOutputs);
        Assert.Equal(PlanValue.SecretOf(PlanValue.Ref("orders-db-password", "result")), instance.Inputs.At("password"));
        Assert.Contains("password", instance.Options.AdditionalSecretOutputs);
    }

    [Fact]
    public void The_security_group_admits_only_the_cluster_on_5432_in_the_targets_vpc()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var group = plan["orders-db-security-group"];
        var rule = Assert.Single(group.Inputs.At("ingress").Items());

        Assert.Equal(AwsTypes.SecurityGroup, group.Type);
        Assert.Equal(PlanValue.Config(AwsConfigKeys.VpcId), group.Inputs.At("vpcId"));
        Assert.Equal("tcp", rule.At("protocol").Text());
        Assert.Equal(5432, rule.At("fromPort").Number());
        Assert.Equal(5432, rule.At("toPort").Number());
        Assert.Equal([PlanValue.Config(AwsConfigKeys.ClusterSecurityGroupId)], rule.At("securityGroups").Items());
        Assert.Null(rule.At("cidrBlocks"));
        Assert.Null(group.Inputs.At("egress"));
        Assert.False(group.Inputs.At("name").Text()!.StartsWith("sg-", StringComparison.Ordinal));
        // EC2 accepts only these characters in group and rule descriptions.
        Assert.Matches(SecurityGroupDescription(), group.Inputs.At("description").Text());
        Assert.Matches(SecurityGroupDescription(), rule.At("description").Text());
    }

    [Fact]
    public void The_subnet_group_uses_the_targets_private_subnets()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var subnets = plan["orders-db-subnet-group"];

        Assert.Equal(AwsTypes.DbSubnetGroup, subnets.Type);
        Assert.Equal(PlanValue.Config(AwsConfigKeys.PrivateSubnetIds), subnets.Inputs.At("subnetIds"));
        Assert.Equal("checkout-staging-orders-db", subnets.Inputs.At("name").Text());
    }

    [Fact]
    public void The_connection_secret_has_libpq_variables_and_keeps_the_password_secret()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var secret = plan[LogicalNames.ConnectionSecret("orders-db")];
        var data = secret.Inputs.At("stringData")!;

        Assert.Equal(KubernetesTypes.Secret, secret.Type);
        Assert.Equal(LogicalNames.KubernetesProvider, secret.Options.Provider);
        Assert.Equal("orders-db", secret.Component);
        Assert.Null(secret.Inputs.At("metadata.name")); // autonamed: new connection details come under a new name
        Assert.Equal(PlanValue.Ref(LogicalNames.ConnectionSecret("orders-db"), "metadata.name"), plan.Outputs.Single(o => o.Name == "ordersDbConnectionSecret").Value);
        Assert.Equal(PlanValue.Ref(LogicalNames.Namespace, "metadata.name"), secret.Inputs.At("metadata.namespace"));
        Assert.Equal("Opaque", secret.Inputs.At("type").Text());
        Assert.Null(secret.Inputs.At("apiVersion"));
        Assert.Equal("${orders-db-instance.address}", AwsPlans.Describe(data.At("PGHOST")));
        Assert.Equal("5432", data.At("PGPORT").Text());
        Assert.Equal("orders_db", data.At("PGDATABASE").Text());
        Assert.Equal(PostgresResources.MasterUsername, data.At("PGUSER").Text());
        Assert.Equal("require", data.At("PGSSLMODE").Text());
        Assert.IsType<PlanValue.Secret>(data.At("PGPASSWORD"));
        Assert.IsType<PlanValue.Secret>(data.At("DATABASE_URL"));
        Assert.Equal(
            "secret(postgresql://appowner:${orders-db-password.result}@${orders-db-instance.address}:5432/orders_db?sslmode=require)",
            AwsPlans.Describe(data.At("DATABASE_URL")));
        Assert.All(((PlanValue.Map)data).Entries.Where(e => e.Value.ReferencedResources().Contains("orders-db-password")),
            e => Assert.True(e.Value.ContainsSecret, e.Key));
    }

    [Fact]
    public void Services_that_use_the_database_load_its_connection_secret()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var deployment = plan["api-deployment"];

        Assert.Contains(LogicalNames.ConnectionSecret("orders-db"), deployment.Dependencies);
    }

    [Fact]
    public void Outputs_name_the_endpoint_and_port()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal(PlanValue.Ref("orders-db-instance", "address"), plan.Outputs.Single(o => o.Name == "ordersDbEndpoint").Value);
        Assert.Equal(PlanValue.Ref("orders-db-instance", "port"), plan.Outputs.Single(o => o.Name == "ordersDbPort").Value);
        Assert.All(plan.Outputs.Where(o => o.Name.StartsWith("ordersDb", StringComparison.Ordinal)), o => Assert.Equal("orders-db", o.Component));
    }

    [Theory]
    [InlineData("checkout-staging", "orders-db", "checkout-staging-orders-db")]
    [InlineData("9lives", "db", "db-9lives-db")]
    [InlineData("a--b", "c", "a-b-c")]
    public void Instance_identifiers_follow_the_rds_rules(string environment, string database, string expected)
    {
        Assert.Equal(expected, PostgresNames.RdsIdentifier(environment, database));
    }

    [Fact]
    public void Long_instance_identifiers_are_shortened_and_still_valid()
    {
        var identifier = PostgresNames.RdsIdentifier(new string('e', 50) + "-x", new string('d', 40));

        Assert.True(identifier.Length <= 63);
        Assert.Matches(RdsIdentifierRule(), identifier);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$")]
    private static partial Regex SecurityGroupDescription();

    [GeneratedRegex("^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$")]
    private static partial Regex RdsIdentifierRule();
}
