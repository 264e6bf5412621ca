using Platform.Components.Aws;
using Platform.Components.Costs;
using Platform.Components.Costs.Prices;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources.Bucket;
using Platform.Components.Resources.Postgres;
using Platform.Components.Resources.Queue;
using Platform.Components.Specs;
using Platform.Components.Tests.Aws;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Costs;

public sealed class CostEstimatorTests
{
    private static readonly PriceTable Prices = PriceTable.Load();

    [Fact]
    public void The_checkout_staging_estimate_equals_the_hand_computed_figures()
    {
        // Prices: 0.02834 per vCPU-hour, 0.003116 per GiB-hour, db.t4g.small 0.032/h, gp3 0.115/GB-month,
        // bucket 10 GB x 0.023 + 100 x 0.005 + 1000 x 0.0004 = 1.13, queue 1 x 0.40; 730 hours.
        // api:    2 pods (autoscaler min) x (0.25 x 0.02834 + 0.5 x 0.003116) x 730 = 2 x 0.008643 x 730 = 12.61878 -> 12.62
        // ledger: 2 pods (staging default) x (0.25 x 0.02834 + 0.25 x 0.003116) x 730 = 2 x 0.007864 x 730 = 11.48144 -> 11.48
        // orders-db: 0.032 x 730 + 50 GB x 0.115 = 23.36 + 5.75 = 29.11 (single-AZ in staging)
        var estimate = CostEstimator.Estimate(AwsPlans.Compile(TestSpecs.CheckoutStaging()), Prices);

        Assert.Equal(12.62m, Cost(estimate, "api-deployment"));
        Assert.Equal(11.48m, Cost(estimate, "ledger-deployment"));
        Assert.Equal(29.11m, Cost(estimate, "orders-db-instance"));
        Assert.Equal(1.13m, Cost(estimate, "receipts-bucket"));
        Assert.Equal(0.40m, Cost(estimate, "events-queue"));
        Assert.DoesNotContain(estimate.Resources, r => r.Resource == "events-dlq");
        Assert.Equal(54.74m, estimate.MonthlyTotal);
        Assert.Equal(
            [new("orders-db", 29.11m), new("api", 12.62m), new("ledger", 11.48m), new("receipts", 1.13m), new("events", 0.40m)],
            estimate.Components);
        Assert.Equal("USD", estimate.Currency);
        Assert.Equal("us-east-1", estimate.Region);
        Assert.Empty(estimate.Unpriced);
    }

    [Fact]
    public void A_prod_database_pays_for_its_standby_instance_and_storage()
    {
        // db.m7g.large 0.168 x 730 x 2 + 100 GB x 0.115 x 2 = 245.28 + 23.00 = 268.28
        var estimate = CostEstimator.Estimate(AwsPlans.Compile(TestSpecs.CheckoutStaging(Tier.Prod)), Prices);

        Assert.Equal(268.28m, Cost(estimate, "orders-db-instance"));
        Assert.Contains("Multi-AZ", estimate.Resources.Single(r => r.Resource == "orders-db-instance").Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Workload_cost_reads_requests_and_replicas_from_the_plan_not_the_spec()
    {
        var plan = Plan(b => b.Add("web-deployment", KubernetesTypes.Deployment, PlanValue.From(new Dictionary<string, object>
        {
            ["spec"] = new Dictionary<string, object>
            {
                ["replicas"] = 3,
                ["template"] = new Dictionary<string, object>
                {
                    ["spec"] = new Dictionary<string, object>
                    {
                        ["containers"] = new object[]
                        {
                            Container("1", "1Gi"),
                            Container("500m", "2Gi"),
                        },
                    },
                },
            },
        }) as PlanValue.Map ?? PlanValue.Map.Empty, "web"));

        // 3 pods x (1.5 x 0.02834 + 3 x 0.003116) x 730 = 3 x 0.051858 x 730 = 113.56902 -> 113.57
        Assert.Equal(113.57m, Cost(CostEstimator.Estimate(plan, Prices), "web-deployment"));
    }

    [Fact]
    public void Containers_without_requests_take_the_namespace_defaults()
    {
        var plan = Plan(b =>
        {
            b.Add("limits", KubernetesTypes.LimitRange, (PlanValue.Map)PlanValue.From(new Dictionary<string, object>
            {
                ["spec"] = new Dictionary<string, object>
                {
                    ["limits"] = new object[] { new Dictionary<string, object> { ["type"] = "Container", ["defaultRequest"] = new Dictionary<string, object> { ["cpu"] = "100m", ["memory"] = "128Mi" } } },
                },
            }), "env");
            b.Add("job-cronjob", KubernetesTypes.CronJob, (PlanValue.Map)PlanValue.From(new Dictionary<string, object>
            {
                ["spec"] = new Dictionary<string, object>
                {
                    ["jobTemplate"] = new Dictionary<string, object>
                    {
                        ["spec"] = new Dictionary<string, object>
                        {
                            ["template"] = new Dictionary<string, object>
                            {
                                ["spec"] = new Dictionary<string, object> { ["containers"] = new object[] { new Dictionary<string, object> { ["name"] = "job" } } },
                            },
                        },
                    },
                },
            }), "job");
        });

        // 1 pod x (0.1 x 0.02834 + 0.125 x 0.003116) x 30 h = 0.0032235 x 30 = 0.096705 -> 0.10
        Assert.Equal(0.10m, Cost(CostEstimator.Estimate(plan, Prices), "job-cronjob"));
    }

    [Fact]
    public void An_unknown_instance_class_is_reported_and_counts_only_storage()
    {
        var plan = Plan(b => b.Add("db", AwsTypes.DbInstance, (PlanValue.Map)PlanValue.From(new Dictionary<string, object>
        {
            ["instanceClass"] = "db.x99.huge",
            ["allocatedStorage"] = 10,
        }), "db"));
        var estimate = CostEstimator.Estimate(plan, Prices);

        Assert.Equal(1.15m, Cost(estimate, "db"));
        Assert.Equal(["db (db.x99.huge)"], estimate.Unpriced);
    }

    [Fact]
    public void The_estimate_is_labelled_an_estimate_with_currency_and_source_date()
    {
        var estimate = CostEstimator.Estimate(AwsPlans.Compile(TestSpecs.CheckoutStaging()), Prices);
        var text = estimate.ToString();

        Assert.StartsWith("Estimated monthly cost (730 h", text, StringComparison.Ordinal);
        Assert.Contains("an estimate, not a quote", text, StringComparison.Ordinal);
        Assert.Contains("54.74 USD", text, StringComparison.Ordinal);
        Assert.Contains(Prices.RetrievedOn, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_database_class_of_every_tier_has_a_price()
    {
        var classes = Enum.GetValues<Tier>().SelectMany(t => PostgresTiers.For(t).InstanceClassList).Distinct();

        Assert.All(classes, c => Assert.True(Prices.Section(PostgresKind.PriceSection, DatabasePricesJson.Default.DatabasePrices)!.InstanceClasses.ContainsKey(c), c));
    }

    [Fact]
    public void The_price_table_names_region_currency_date_and_sources()
    {
        Assert.Equal("us-east-1", Prices.Region);
        Assert.Equal("USD", Prices.Currency);
        Assert.Equal(730m, Prices.HoursPerMonth);
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", Prices.RetrievedOn);
        Assert.NotEmpty(Prices.Compute.Sources);
        Assert.NotEmpty(Prices.Section(PostgresKind.PriceSection, DatabasePricesJson.Default.DatabasePrices)!.Sources);
        Assert.NotEmpty(Prices.Section(BucketKind.PriceSection, BucketPricesJson.Default.BucketPrices)!.Sources);
        Assert.NotEmpty(Prices.Section(QueueKind.PriceSection, QueuePricesJson.Default.QueuePrices)!.Sources);
        // The derived compute prices reproduce the node price they were split from (m7g.large: 2 vCPU, 8 GiB, $0.0816/h).
        Assert.Equal(0.0816m, Math.Round((2 * Prices.Compute.VcpuHour) + (8 * Prices.Compute.GibHour), 4));
    }

    [Fact]
    public void An_incomplete_price_table_is_rejected()
    {
        Assert.Throws<FormatException>(() => PriceTable.Parse("""{"region":"us-east-1"}"""));
    }

    private static Dictionary<string, object> Container(string cpu, string memory) => new Dictionary<string, object>
    {
        ["name"] = "c",
        ["resources"] = new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["cpu"] = cpu, ["memory"] = memory } },
    };

    private static ResourcePlan Plan(Action<PlanBuilder> add)
    {
        var builder = new PlanBuilder();
        add(builder);
        return builder.Build("shop", Tier.Dev, "default");
    }

    private static decimal Cost(CostEstimate estimate, string resource) => estimate.Resources.Single(r => r.Resource == resource).Monthly;

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void A_kind_prices_only_the_types_it_declares_so_the_estimate_can_skip_every_other_resource(string tier)
    {
        // The estimate asks the kinds about resources of their PricedTypes only: a kind that priced another type without
        // declaring it would silently drop out of the estimate.
        var plan = PlanCompiler.Compile(
            Platform.Components.SpecDocuments.SpecParser.Parse(Platform.Generated.GeneratedSpecs.Yaml(40, tier)).Spec!,
            Platform.Components.Targets.DeploymentTarget.Default);
        var priced = 0;
        foreach (var resource in plan.Resources)
        {
            foreach (var kind in Platform.Components.Resources.ResourceKinds.All)
            {
                var cost = kind.Cost(plan, resource, Prices, []);
                Assert.True(cost is null || kind.PricedTypes.Contains(resource.Type), $"{kind.Name} prices {resource.Type}, which it does not declare");
                priced += cost is null ? 0 : 1;
            }
        }

        Assert.True(priced >= 5, $"{priced} resources priced by kinds");
    }
}
