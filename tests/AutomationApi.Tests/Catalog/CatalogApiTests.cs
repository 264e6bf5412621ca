using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Catalog;

/// <summary>Issue 12: the service catalog and cost views, computed from a known set of specs.</summary>
public sealed class CatalogApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Spec(string name, string team, string costCenter, string tier, string apiImage, bool database = false) => $$"""
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: {{name}}, team: {{team}}, costCenter: {{costCenter}} }
        spec:
          tier: {{tier}}
          target: default
          services:
            - name: api
              type: web
              image: {{apiImage}}
              host: shop
              uses: [ledger{{(database ? ", orders-db" : "")}}]
              replicas: { min: 2, max: 3 }
            - name: ledger
              type: worker
              image: registry.example.com/{{team}}/ledger:2.0.0
              port: 9090
        {{(database ? "  resources:\n    - { name: orders-db, type: postgres }\n" : "")}}
        """;

    private static async Task<PlatformFactory> ThreeEnvironmentsAsync()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, Specs.CompleteTargets, Cancel);
        var factory = new PlatformFactory(configure: s => s["Platform:TargetsFile"] = targets, engine: new InMemoryStackEngine());
        foreach (var spec in new[]
                 {
                     Spec("cat-pay-stg", "payments", "cc-1", "staging", "registry.example.com/payments/api:1.4.2", database: true),
                     Spec("cat-pay-dev", "payments", "cc-2", "dev", "registry.example.com/payments/api:1.5.0"),
                     Spec("cat-srch-dev", "search", "cc-2", "dev", "registry.example.com/search/api:0.9.0"),
                 })
        {
            var created = await factory.CreateAndWaitAsync(spec);
            Assert.True((string)created["state"]! == "succeeded", created.ToJsonString());
        }

        return factory;
    }

    [Fact]
    public async Task Catalog_lists_every_service_with_owner_image_uses_used_by_url_and_its_share_of_the_estimate()
    {
        using var factory = await ThreeEnvironmentsAsync();
        var client = factory.CreateClient();

        var items = (await client.GetFromJsonAsync<JsonObject>("/v1/catalog/services", Cancel))!["items"]!.AsArray();
        Assert.Equal(
            ["api@cat-pay-dev", "api@cat-pay-stg", "api@cat-srch-dev", "ledger@cat-pay-dev", "ledger@cat-pay-stg", "ledger@cat-srch-dev"],
            items.Select(i => $"{i!["name"]}@{i["environment"]}"));

        var api = items.Single(i => (string)i!["name"]! == "api" && (string)i["environment"]! == "cat-pay-stg")!;
        Assert.Equal("payments", (string)api["team"]!);
        Assert.Equal("cc-1", (string)api["costCenter"]!);
        Assert.Equal("staging", (string)api["tier"]!);
        Assert.Equal("web", (string)api["type"]!);
        Assert.Equal("registry.example.com/payments/api:1.4.2", (string)api["image"]!);
        Assert.Equal(["ledger", "orders-db"], api["uses"]!.AsArray().Select(u => (string)u!));
        Assert.Empty(api["usedBy"]!.AsArray());
        Assert.Equal("https://shop.cat-pay-stg.apps.example.internal/", (string)api["url"]!);
        var ledger = items.Single(i => (string)i!["name"]! == "ledger" && (string)i["environment"]! == "cat-pay-stg")!;
        Assert.Equal(["api"], ledger["usedBy"]!.AsArray().Select(u => (string)u!));
        Assert.Null(ledger["url"]);

        // Each service's cost is its component of the environment's own estimate, to the cent.
        foreach (var item in items)
        {
            var estimate = (await factory.GetEnvironmentAsync((string)item!["environment"]!))["costEstimate"]!;
            var component = estimate["components"]!.AsArray().Single(c => (string)c!["component"]! == (string)item["name"]!)!;
            Assert.Equal((decimal)component["monthly"]!, (decimal)item["estimatedMonthlyCost"]!);
            Assert.True((decimal)item["estimatedMonthlyCost"]! > 0);
        }

        var byTeam = (await client.GetFromJsonAsync<JsonObject>("/v1/catalog/services?team=search", Cancel))!["items"]!.AsArray();
        Assert.All(byTeam, i => Assert.Equal("cat-srch-dev", (string)i!["environment"]!));
        Assert.Equal(2, byTeam.Count);

        var across = (await client.GetFromJsonAsync<JsonObject>("/v1/catalog/services/ledger", Cancel))!;
        Assert.Equal(["cat-pay-dev", "cat-pay-stg", "cat-srch-dev"], across["instances"]!.AsArray().Select(i => (string)i!["environment"]!));
        using var unknown = await client.GetAsync("/v1/catalog/services/nothing-here", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nothing-here", await unknown.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        // A destroyed environment leaves the catalog; an update shows its new image.
        using var destroy = await client.DeleteAsync("/v1/environments/cat-srch-dev", Cancel);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/cat-pay-dev")
        {
            Content = new StringContent(Spec("cat-pay-dev", "payments", "cc-2", "dev", "registry.example.com/payments/api:1.6.0"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var updated = await client.SendAsync(put, Cancel);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(updated))["id"]!))["state"]!);
        var apis = (await client.GetFromJsonAsync<JsonObject>("/v1/catalog/services/api", Cancel))!["instances"]!.AsArray();
        Assert.Equal(["cat-pay-dev", "cat-pay-stg"], apis.Select(i => (string)i!["environment"]!));
        Assert.Equal("registry.example.com/payments/api:1.6.0", (string)apis[0]!["image"]!);
    }

    [Theory]
    [InlineData("team", new[] { "payments", "search" })]
    [InlineData("costCenter", new[] { "cc-1", "cc-2" })]
    [InlineData("environment", new[] { "cat-pay-dev", "cat-pay-stg", "cat-srch-dev" })]
    [InlineData("service", new[] { "api", "ledger", "orders-db" })]
    public async Task Cost_groups_add_up_exactly_to_the_per_environment_estimates(string groupBy, string[] keys)
    {
        using var factory = await ThreeEnvironmentsAsync();
        var client = factory.CreateClient();
        var estimates = new Dictionary<string, JsonNode>();
        foreach (var name in new[] { "cat-pay-stg", "cat-pay-dev", "cat-srch-dev" })
        {
            estimates[name] = (await factory.GetEnvironmentAsync(name))["costEstimate"]!;
        }

        var report = (await client.GetFromJsonAsync<JsonObject>($"/v1/costs?groupBy={groupBy}", Cancel))!;
        var groups = report["groups"]!.AsArray();
        var total = estimates.Values.Sum(e => (decimal)e["monthlyTotal"]!);
        Assert.Equal(total, (decimal)report["total"]!);
        Assert.Equal(total, groups.Sum(g => (decimal)g!["monthly"]!));
        Assert.Equal("USD", (string)report["currency"]!);
        Assert.Equal(keys, groups.Select(g => (string)g!["key"]!).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(report["unestimated"]!.AsArray());

        // Each group equals the sum of its members' estimates (or their components, by service).
        foreach (var group in groups)
        {
            var key = (string)group!["key"]!;
            var expected = groupBy switch
            {
                "team" => estimates.Where(e => e.Key.StartsWith(key == "payments" ? "cat-pay" : "cat-srch", StringComparison.Ordinal)).Sum(e => (decimal)e.Value["monthlyTotal"]!),
                "costCenter" => estimates.Where(e => (key == "cc-1") == (e.Key == "cat-pay-stg")).Sum(e => (decimal)e.Value["monthlyTotal"]!),
                "environment" => (decimal)estimates[key]["monthlyTotal"]!,
                _ => estimates.Values.SelectMany(e => e["components"]!.AsArray()).Where(c => (string)c!["component"]! == key).Sum(c => (decimal)c!["monthly"]!),
            };
            Assert.Equal(expected, (decimal)group["monthly"]!);
        }

        if (groupBy == "service")
        {
            Assert.Equal("resource", (string)groups.Single(g => (string)g!["key"]! == "orders-db")!["kind"]!);
            Assert.Equal("service", (string)groups.Single(g => (string)g!["key"]! == "api")!["kind"]!);
        }
    }

    [Fact]
    public async Task Costs_refuse_an_unknown_grouping_naming_the_field_and_default_to_team()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        using var bad = await client.GetAsync("/v1/costs?groupBy=colour", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await PlatformFactory.ReadAsync(bad);
        Assert.Contains("costCenter", (string)problem["errors"]!["groupBy"]![0]!, StringComparison.Ordinal);

        var empty = (await client.GetFromJsonAsync<JsonObject>("/v1/costs", Cancel))!;
        Assert.Equal("team", (string)empty["groupBy"]!);
        Assert.Equal(0m, (decimal)empty["total"]!);
        Assert.Empty(empty["groups"]!.AsArray());
    }
}
