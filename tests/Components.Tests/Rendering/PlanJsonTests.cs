using System.Text.Json.Nodes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.Rendering;

public sealed class PlanJsonTests
{
    private static ResourcePlan Checkout() => PlanCompiler.Compile(TestSpecs.CheckoutStaging(), DeploymentTarget.Default);

    [Fact]
    public void Literals_are_plain_json()
    {
        var value = PlanValue.From(new Dictionary<string, object> { ["s"] = "x", ["n"] = 1.5m, ["b"] = true, ["l"] = new[] { 1, 2 } });

        Assert.Equal("""{"s":"x","n":1.5,"b":true,"l":[1,2]}""", PlanJson.Value(value)!.ToJsonString());
        Assert.Null(PlanJson.Value(PlanValue.Null));
    }

    [Fact]
    public void Deferred_values_are_one_key_objects()
    {
        Assert.Equal("""{"$ref":"db.address"}""", PlanJson.Value(PlanValue.Ref("db", "address"))!.ToJsonString());
        Assert.Equal("""{"$ref":"lb.status.loadBalancer.ingress[0].hostname"}""", PlanJson.Value(PlanValue.Ref("lb", "status.loadBalancer.ingress[0].hostname"))!.ToJsonString());
        Assert.Equal("cm[\"a.b\"]", (string?)PlanJson.Value(PlanValue.Ref("cm", "[\"a.b\"]"))!["$ref"]);
        Assert.Equal("""{"$config":"vpcId"}""", PlanJson.Value(PlanValue.Config("vpcId"))!.ToJsonString());
        Assert.Equal("""{"$concat":["https://",{"$ref":"lb.host"},"/x"]}""", PlanJson.Value(PlanValue.Concat("https://", PlanValue.Ref("lb", "host"), "/x"))!.ToJsonString());
        Assert.Equal("""{"$json":{"a":{"$ref":"q.arn"}}}""", PlanJson.Value(PlanValue.ToJson(PlanValue.Map.Empty.With("a", PlanValue.Ref("q", "arn"))))!.ToJsonString());
    }

    [Fact]
    public void Secrets_are_masked_whatever_they_hold()
    {
        Assert.Equal("""{"$secret":"[secret]"}""", PlanJson.Value(PlanValue.SecretOf("hunter2"))!.ToJsonString());
        Assert.Equal("""{"$secret":"[secret]"}""", PlanJson.Value(PlanValue.SecretOf(PlanValue.Config("token")))!.ToJsonString());
        Assert.DoesNotContain("hunter2", PlanJson.Value(PlanValue.Concat("a", PlanValue.SecretOf("hunter2")))!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", PlanJson.Value(PlanValue.ToJson(PlanValue.Map.Empty.With("p", PlanValue.SecretOf("hunter2"))))!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_map_keys_starting_with_a_dollar_are_escaped_so_they_cannot_pose_as_forms()
    {
        var value = PlanValue.Map.Empty.With("$ref", "not a reference").With("a$b", 1);

        Assert.Equal("""{"$$ref":"not a reference","a$b":1}""", PlanJson.Value(value)!.ToJsonString());
    }

    [Fact]
    public void A_plan_holds_every_resource_in_plan_order_with_its_options()
    {
        var plan = Checkout();
        var json = PlanJson.ToJson(plan);

        Assert.Equal("checkout-staging", (string?)json["environment"]);
        Assert.Equal("staging", (string?)json["tier"]);
        Assert.Equal("platform-checkout-staging", (string?)json["project"]);
        var resources = json["resources"]!.AsArray();
        Assert.Equal(plan.Resources.Select(r => r.Name), resources.Select(r => (string?)r!["name"]));
        var deployment = resources.Single(r => (string?)r!["name"] == "api-deployment")!;
        Assert.Equal("kubernetes:apps/v1:Deployment", (string?)deployment["type"]);
        Assert.Equal("api", (string?)deployment["component"]);
        Assert.Equal(LogicalNames.KubernetesProvider, (string?)deployment["options"]!["provider"]);
        Assert.Equal(plan.Outputs.Select(o => o.Name), json["outputs"]!.AsArray().Select(o => (string?)o!["name"]));
    }

    [Fact]
    public void Secret_stack_config_values_read_secret()
    {
        var spec = TestSpecs.CheckoutStaging();
        spec = spec with { Services = [.. spec.Services.Select(s => s with { Env = s.Env.Add("TOKEN", EnvValue.Secret("s3cr3t-value")) })] };
        var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default with { KubeContext = "ctx" });
        var text = PlanJson.Serialize(plan);
        var stackConfig = JsonNode.Parse(text)!["stackConfig"]!.AsObject();

        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
        Assert.Equal("ctx", (string?)stackConfig["kubernetesContext"]);
        Assert.All(plan.StackConfig.Where(e => e.Value.Secret), e => Assert.Equal(PlanJson.Masked, (string?)stackConfig[e.Key]));
        Assert.Contains(plan.StackConfig, e => e.Value.Secret);
    }

    [Fact]
    public void The_same_plan_serializes_to_the_same_text()
    {
        Assert.Equal(PlanJson.Serialize(Checkout()), PlanJson.Serialize(Checkout()));
        Assert.DoesNotContain('\r', PlanJson.Serialize(Checkout()));
    }

    [Fact]
    public void The_summary_counts_resources_by_type_and_component()
    {
        var plan = Checkout();
        var summary = PlanSummary.Of(plan);
        var json = PlanJson.Summary(summary);

        Assert.Equal(plan.Resources.Length, summary.Resources);
        Assert.Equal(plan.Resources.Count(r => r.IsProvider), summary.Providers);
        Assert.Equal(summary.Resources, summary.ByType.Values.Sum());
        Assert.Equal(plan.OfType("kubernetes:apps/v1:Deployment").Count(), summary.ByType["kubernetes:apps/v1:Deployment"]);
        Assert.Equal(plan.Components.Select(c => c.Name), summary.Components.Select(c => c.Name));
        Assert.Equal(summary.Resources - summary.Providers, summary.Components.Sum(c => c.Resources));
        var api = summary.Components.Single(c => c.Name == "api");
        Assert.Equal(plan.ResourcesOf("api").Count(), api.Resources);
        Assert.Equal(api.Resources, (int)json["components"]!.AsArray().Single(c => (string?)c!["name"] == "api")!["resources"]!);
        Assert.Equal(summary, PlanSummary.Of(Checkout()));
        Assert.Null(summary.EstimatedMonthlyCost);
    }

    [Fact]
    public void With_an_estimate_the_summary_carries_cost_per_component_and_in_total()
    {
        var plan = Checkout();
        var cost = Platform.Components.Costs.CostEstimator.Estimate(plan, Platform.Components.Costs.Prices.PriceTable.Load());
        var summary = PlanSummary.Of(plan, cost);
        var json = PlanJson.Summary(summary);

        Assert.Equal(cost.MonthlyTotal, summary.EstimatedMonthlyCost);
        Assert.Equal(cost.Currency, summary.Currency);
        Assert.Equal(cost.Components.Single(c => c.Component == "orders-db").Monthly, summary.Components.Single(c => c.Name == "orders-db").EstimatedMonthlyCost);
        Assert.Equal(cost.MonthlyTotal, (decimal)json["estimatedMonthlyCost"]!);
        Assert.Equal(cost.MonthlyTotal, (decimal)PlanJson.Cost(cost)["monthlyTotal"]!);
        Assert.Contains("estimate", (string)PlanJson.Cost(cost)["label"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_report_lists_every_violation_with_rule_severity_and_resource()
    {
        var plan = Checkout();
        var report = Platform.Components.Policies.PolicyEngine.Evaluate(plan, Platform.Components.Policies.PolicySettings.AllEnabled);
        var json = PlanJson.Policy(report);

        Assert.Equal(report.IsBlocked, (bool)json["blocked"]!);
        Assert.Equal(report.Violations.Length, json["violations"]!.AsArray().Count);
        Assert.Equal(report.EvaluatedRules, json["evaluatedRules"]!.AsArray().Select(r => (string)r!));
    }
}
