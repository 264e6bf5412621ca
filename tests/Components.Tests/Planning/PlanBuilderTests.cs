using Platform.Components.Planning;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Generated;

namespace Platform.Components.Tests.Planning;

/// <summary>What <see cref="PlanBuilder.Build"/> checks and the order it puts resources in.</summary>
public sealed class PlanBuilderTests
{
    [Fact]
    public void Providers_come_first_then_each_resource_after_what_it_needs_in_the_order_added()
    {
        var builder = new PlanBuilder();
        builder.Add("a", "t:a", PlanValue.Map.Empty.With("x", PlanValue.Ref("c", "id")), null);
        builder.Add("b", "t:b", PlanValue.Map.Empty, null, PlanResourceOptions.None with { DependsOn = ["a"] });
        builder.Add("c", "t:c", PlanValue.Map.Empty.With("y", PlanValue.SecretOf(PlanValue.Concat("k-", PlanValue.Ref("d", "name")))), null);
        builder.Add("d", "t:d", PlanValue.Map.Empty, null);
        builder.Add("p", "pulumi:providers:kubernetes", PlanValue.Map.Empty, null);

        var plan = builder.Build("env", Tier.Dev, "default");

        Assert.Equal(["p", "d", "c", "a", "b"], plan.Resources.Select(r => r.Name));
    }

    [Fact]
    public void A_dependency_cycle_is_refused_naming_the_path()
    {
        var builder = new PlanBuilder();
        builder.Add("a", "t:a", PlanValue.Map.Empty.With("x", PlanValue.Ref("b", "id")), null);
        builder.Add("b", "t:b", PlanValue.Map.Empty.With("x", PlanValue.Ref("c", "id")), null);
        builder.Add("c", "t:c", PlanValue.Map.Empty, null, PlanResourceOptions.None with { DependsOn = ["a"] });

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build("env", Tier.Dev, "default"));

        Assert.Equal("Resources depend on each other in a cycle: a -> b -> c -> a.", error.Message);
    }

    [Fact]
    public void References_to_missing_resources_and_undeclared_config_are_refused()
    {
        var missing = new PlanBuilder();
        missing.Add("a", "t:a", PlanValue.Map.Empty.With("x", PlanValue.Ref("ghost", "id")), null);
        var undeclared = new PlanBuilder();
        undeclared.Add("a", "t:a", PlanValue.Map.Empty.With("x", PlanValue.Config("region")), null);

        Assert.Equal("Resource 'a' refers to 'ghost', which is not in the plan.",
            Assert.Throws<InvalidOperationException>(() => missing.Build("env", Tier.Dev, "default")).Message);
        Assert.Equal("Resource 'a' reads config 'region', which is not declared.",
            Assert.Throws<InvalidOperationException>(() => undeclared.Build("env", Tier.Dev, "default")).Message);
    }

    [Fact]
    public void The_first_resource_in_the_order_added_with_a_problem_is_named_and_an_undeclared_key_comes_before_a_missing_name()
    {
        var builder = new PlanBuilder();
        builder.Add("a", "t:a", PlanValue.Map.Empty, null);
        builder.Add("b", "t:b", PlanValue.Map.Empty.With("x", PlanValue.Ref("ghost", "id")).With("y", PlanValue.Config("zone")), null);
        builder.Add("c", "t:c", PlanValue.Map.Empty.With("x", PlanValue.Ref("phantom", "id")), null);

        Assert.Equal("Resource 'b' reads config 'zone', which is not declared.",
            Assert.Throws<InvalidOperationException>(() => builder.Build("env", Tier.Dev, "default")).Message);
    }

    [Fact]
    public void Config_declared_after_the_resource_that_reads_it_and_a_resource_added_after_its_dependent_are_found()
    {
        // What a resource needs is read when it is added, and checked only when the plan is built.
        var builder = new PlanBuilder();
        builder.Add("a", "t:a", PlanValue.Map.Empty.With("x", PlanValue.Config("zone")).With("y", PlanValue.Ref("b", "id")), null);
        builder.Add("b", "t:b", PlanValue.Map.Empty, null, PlanResourceOptions.WithProvider("p"));
        builder.Add("p", "pulumi:providers:aws", PlanValue.Map.Empty, null);
        builder.AddConfig(new PlanConfigEntry("zone", "string", false, "The zone.", null));

        var plan = builder.Build("env", Tier.Dev, "default");

        Assert.Equal(["p", "b", "a"], plan.Resources.Select(r => r.Name));
    }

    public static TheoryData<PlanConfigEntry> DifferentDeclarations() =>
    [
        new PlanConfigEntry("vpcId", "string", true, "VPC of the target cluster.", null),
        new PlanConfigEntry("vpcId", "List<String>", false, "VPC of the target cluster.", null),
        new PlanConfigEntry("vpcId", "string", false, "VPC of the target cluster.", "vpc-default"),
        new PlanConfigEntry("vpcId", "string", false, "Secret environment variable ID of service vpc.", null),
    ];

    [Theory]
    [MemberData(nameof(DifferentDeclarations))]
    public void A_config_key_declared_again_differently_is_rejected_naming_both_declarations(PlanConfigEntry second)
    {
        var builder = new PlanBuilder();
        var first = new PlanConfigEntry("vpcId", "string", false, "VPC of the target cluster.", null);
        builder.AddConfig(first, new StackConfigValue("vpc-0abc", false));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddConfig(second, new StackConfigValue("vpc-0abc", false)));

        Assert.Equal($"Config key 'vpcId' is declared twice, differently: {first} and {second}.", error.Message);
    }

    [Fact]
    public void A_config_key_given_a_different_value_is_rejected_without_printing_a_secret()
    {
        var builder = new PlanBuilder();
        var entry = new PlanConfigEntry("token", "string", true, "A token.", null);
        builder.AddConfig(entry, new StackConfigValue("first-secret", true));

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddConfig(entry, new StackConfigValue("second-secret", true)));

        Assert.Contains("'token'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("first-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("second-secret", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => builder.AddConfig(entry, new StackConfigValue("first-secret", false)));
    }

    [Fact]
    public void Declaring_a_config_key_again_identically_changes_nothing()
    {
        // The provider planner and a database both declare the region and account (PostgresKind.DatabaseUserArn).
        var builder = new PlanBuilder();
        var entry = new PlanConfigEntry("awsRegion", "string", false, "AWS region of the target account.", null);
        builder.AddConfig(entry, new StackConfigValue("eu-west-1", false));
        builder.AddConfig(entry with { }, new StackConfigValue("eu-west-1", false));
        builder.AddConfig(entry);
        builder.Add("a", "t:a", PlanValue.Map.Empty.With("region", PlanValue.Config("awsRegion")), null);

        var plan = builder.Build("env", Tier.Dev, "default");

        Assert.Equal([entry], plan.Config);
        Assert.Equal(new StackConfigValue("eu-west-1", false), Assert.Single(plan.StackConfig).Value);
    }

    [Theory]
    [InlineData(30, "dev")]
    [InlineData(30, "prod")]
    public void The_index_the_builder_keeps_is_the_one_the_plan_would_get_by_reading_every_resource(int services, string tier)
    {
        var plan = PlanCompiler.Compile(SpecParser.Parse(GeneratedSpecs.Yaml(services, tier)).Spec!, DeploymentTarget.Default);
        var kept = PlanIndex.Of(plan);
        var read = PlanIndex.Of(plan with { }); // another instance: its index is built from its resources

        Assert.NotSame(kept, read);
        var types = plan.Resources.Select(r => r.Type).Distinct().ToList();
        Assert.True(types.Count > 10, $"{types.Count} types");
        foreach (var type in types.Append("t:none"))
        {
            var expected = plan.Resources.Where(r => r.Type == type).ToList();
            Assert.Equal(expected, kept.OfType(type), ReferenceEqualityComparer.Instance);
            Assert.Equal(expected, read.OfType(type), ReferenceEqualityComparer.Instance);
        }

        Assert.Equal(read.ComponentTypes, kept.ComponentTypes);
        foreach (var wanted in new[] { types.Take(1), types.Skip(1).Take(3), types.Where((_, i) => i % 2 == 0).Append("t:none") })
        {
            var set = wanted.ToHashSet();
            var expected = plan.Resources.Where(r => set.Contains(r.Type)).ToList();
            Assert.Equal(expected, kept.OfTypes(set), ReferenceEqualityComparer.Instance);
            Assert.Equal(expected, read.OfTypes(set), ReferenceEqualityComparer.Instance);
        }
    }
}
