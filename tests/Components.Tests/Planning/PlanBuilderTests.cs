using Platform.Components.Planning;
using Platform.Components.Specs;

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
}
