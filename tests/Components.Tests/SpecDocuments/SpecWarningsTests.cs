using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.SpecDocuments;

/// <summary>Advisory warnings: valid specs that are probably not what was meant, never blocking.</summary>
public sealed class SpecWarningsTests
{
    private const string Head = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-staging, team: web, costCenter: cc-1 }
        spec:
        """;

    private static PipelineResult Run(string body) => EnvironmentPipeline.Run(Head + "\n" + body, TargetSettings.Default);

    [Fact]
    public void Using_a_worker_without_a_port_is_a_warning_at_the_uses_entry()
    {
        var result = Run("""
              tier: dev
              services:
                - { name: api, type: web, image: "r.example.com/api:1.0.0", uses: [ledger] }
                - { name: ledger, type: worker, image: "r.example.com/ledger:1.0.0" }
            """);

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("spec.services[0].uses[0]", warning.Path);
        Assert.Contains("spec.services[1].port", warning.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_no_service_uses_is_a_warning_with_its_monthly_cost()
    {
        var result = Run("""
              tier: dev
              services:
                - { name: api, type: web, image: "r.example.com/api:1.0.0" }
              resources:
                - { name: orders-db, type: postgres }
                - { name: receipts, type: bucket }
            """);

        var warning = Assert.Single(result.Warnings);
        Assert.Equal("spec.resources[0]", warning.Path);
        var monthly = result.Cost!.Components.Single(c => c.Component == "orders-db").Monthly;
        Assert.Contains($"costs an estimated {monthly.ToString("N2", System.Globalization.CultureInfo.InvariantCulture)} USD a month", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_replica_under_a_disruption_budget_is_a_warning()
    {
        var result = Run("""
              tier: staging
              services:
                - { name: api, type: web, image: "r.example.com/api:1.0.0", replicas: { min: 1, max: 3 } }
                - { name: ok, type: web, image: "r.example.com/ok:1.0.0" }
                - { name: job, type: cron, image: "r.example.com/job:1.0.0", schedule: "@daily" }
            """);

        var warning = Assert.Single(result.Warnings);
        Assert.Equal("spec.services[0].replicas.min", warning.Path);
        Assert.Contains("PodDisruptionBudget", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dev_single_replica_has_no_disruption_budget_to_warn_about()
    {
        Assert.Empty(Run("""
              tier: dev
              services:
                - { name: api, type: web, image: "r.example.com/api:1.0.0" }
            """).Warnings);
    }
}
