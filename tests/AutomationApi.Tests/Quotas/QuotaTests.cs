using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Quotas;

/// <summary>Issue 12: per-team quotas on live environments per tier and on estimated monthly cost; a request past one is a 422 naming it.</summary>
public sealed class QuotaTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_create_past_the_tier_limit_is_422_naming_limit_use_and_share_and_destroying_one_makes_room()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var admin = factory.CreateClient();
        var set = await admin.PutAsJsonAsync("/v1/quotas/payments", new { dev = 2 }, Cancel);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("team", (string?)(await PlatformFactory.ReadAsync(set))["source"]);
        using var developer = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));

        var first = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(await Create(developer, Specs.Dev("quota-a"))))["id"]!);
        Assert.Equal(HttpStatusCode.Accepted, (await Create(developer, Specs.Dev("quota-b"))).StatusCode);
        using var refused = await Create(developer, Specs.Dev("quota-c"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await PlatformFactory.ReadAsync(refused);
        Assert.Equal("Quota exceeded", (string?)problem["title"]);
        Assert.Equal("dev", (string?)problem["quota"]);
        Assert.Equal(("payments", 2m, 2m, 1m), ((string?)problem["team"], (decimal)problem["limit"]!, (decimal)problem["current"]!, (decimal)problem["requested"]!));
        Assert.Contains("at most 2 live dev environment(s); it has 2 and this request adds 1", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/v1/environments/quota-c", Cancel)).StatusCode);

        // Other tiers and other teams are not limited by it; the use is shown with the limits.
        Assert.Equal(HttpStatusCode.Accepted, (await Create(admin, Specs.Dev("search-dev", team: "search"))).StatusCode);
        var view = (await admin.GetFromJsonAsync<JsonObject>("/v1/quotas/payments", Cancel))!;
        Assert.Equal(2, (int)view["limits"]!["dev"]!);
        Assert.Null(view["limits"]!["staging"]);
        Assert.Equal(2, (int)view["usage"]!["dev"]!);

        // A destroyed environment no longer counts.
        var destroy = await developer.DeleteAsync("/v1/environments/quota-a", Cancel);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);
        Assert.Equal("succeeded", (string)first["state"]!);
        Assert.Equal(HttpStatusCode.Accepted, (await Create(developer, Specs.Dev("quota-c"))).StatusCode);

        var audit = (await admin.GetFromJsonAsync<JsonObject>("/v1/audit?action=environment.create", Cancel))!["items"]!.AsArray();
        var refusal = Assert.Single(audit, e => (string?)e!["result"] == "422")!;
        Assert.Equal("quota-c", (string?)refusal["environment"]);
        Assert.Null(refusal["operationId"]);
        Assert.Contains((await admin.GetFromJsonAsync<JsonObject>("/v1/audit?action=quota.set", Cancel))!["items"]!.AsArray(),
            e => (string?)e!["detail"] == "dev 2, staging unlimited, prod unlimited, monthlyCost unlimited");
    }

    [Fact]
    public async Task A_create_or_an_update_past_the_cost_limit_is_422_in_dollars_counting_environments_not_yet_deployed()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var admin = factory.CreateClient();
        await factory.CreateAndWaitAsync(Specs.Dev("cost-a"));
        var each = (decimal)(await factory.GetEnvironmentAsync("cost-a"))["costEstimate"]!["monthlyTotal"]!;
        Assert.True(each > 0);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = each * 1.5m }, Cancel)).StatusCode);
        using var refused = await Create(admin, Specs.Dev("cost-b"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await PlatformFactory.ReadAsync(refused);
        Assert.Equal("monthlyCost", (string?)problem["quota"]);
        Assert.Equal((each * 1.5m, each, each), ((decimal)problem["limit"]!, (decimal)problem["current"]!, (decimal)problem["requested"]!));
        Assert.Contains("USD", (string?)problem["detail"], StringComparison.Ordinal);

        // Room for one more: accepted, and counted at its estimate before it is deployed.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = each * 2.5m }, Cancel)).StatusCode);
        factory.Memory.Script(Platform.AutomationApi.Engine.EngineCommand.Up, EngineScript.Hold);
        Assert.Equal(HttpStatusCode.Accepted, (await Create(admin, Specs.Dev("cost-b"))).StatusCode);
        using var third = await Create(admin, Specs.Dev("cost-c"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, third.StatusCode);
        Assert.Equal(each * 2, (decimal)(await PlatformFactory.ReadAsync(third))["current"]!);

        // An update that raises the cost past the limit is refused; one that keeps it is not.
        using var dearer = await Put(admin, "cost-a", Specs.Dev("cost-a").Replace("      port: 8080\n", "      port: 8080\n      replicas: { min: 3, max: 3 }\n", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, dearer.StatusCode);
        var raised = await PlatformFactory.ReadAsync(dearer);
        Assert.Equal("monthlyCost", (string?)raised["quota"]);
        Assert.True((decimal)raised["requested"]! > each);
        Assert.Equal(HttpStatusCode.Accepted, (await Put(admin, "cost-a", Specs.Dev("cost-a", image: "registry.example.com/payments/api:1.0.1"))).StatusCode);
        factory.Memory.Release("cost-b");
    }

    [Fact]
    public async Task A_deploy_or_a_promotion_past_the_cost_limit_is_422_and_queues_nothing()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var admin = factory.CreateClient();
        await factory.CreateAndWaitAsync(Specs.Dev("deployed-a"));
        var each = (decimal)(await factory.GetEnvironmentAsync("deployed-a"))["costEstimate"]!["monthlyTotal"]!;

        // Accepted while the team had no cost limit and not deployed yet: counted at nothing so far, so a deployment
        // of it asks for its whole estimate.
        factory.Memory.Script(Platform.AutomationApi.Engine.EngineCommand.Up, EngineScript.Hold);
        using var held = await Create(admin, Specs.Dev("held-b"));
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        var create = (string)(await PlatformFactory.ReadAsync(held))["id"]!;
        await factory.WaitForOperationAsync(create, states: "running");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = each * 1.5m }, Cancel)).StatusCode);

        using var deploy = await admin.PostAsJsonAsync("/v1/environments/held-b/services/api/deploy", new { image = "registry.example.com/payments/api:2.0.0" }, Cancel);
        using var promote = await admin.PostAsJsonAsync("/v1/environments/held-b/promote", new { from = "deployed-a" }, Cancel);

        foreach (var refused in new[] { deploy, promote })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await PlatformFactory.ReadAsync(refused);
            Assert.Equal("Quota exceeded", (string?)problem["title"]);
            Assert.Equal("monthlyCost", (string?)problem["quota"]);
            Assert.Equal((each * 1.5m, each, each), ((decimal)problem["limit"]!, (decimal)problem["current"]!, (decimal)problem["requested"]!));
        }

        Assert.Equal(create, (string)(await factory.GetEnvironmentAsync("held-b"))["lastOperation"]!["id"]!);
        var refusals = (await admin.GetFromJsonAsync<JsonObject>("/v1/audit?environment=held-b", Cancel))!["items"]!.AsArray();
        Assert.Equal(2, refusals.Count(e => (string?)e!["result"] == "422" && e["operationId"] is null));

        // Room for it: the same deploy is accepted.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = each * 2m }, Cancel)).StatusCode);
        using var accepted = await admin.PostAsJsonAsync("/v1/environments/held-b/services/api/deploy", new { image = "registry.example.com/payments/api:2.0.0" }, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        factory.Memory.Script(Platform.AutomationApi.Engine.EngineCommand.Up, EngineScript.Succeed);
        factory.Memory.Release("held-b");
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(create))["state"]!);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(accepted))["operation"]!["id"]!);
    }

    [Fact]
    public async Task Configured_defaults_apply_to_teams_without_a_quota_and_only_admins_set_valid_quotas()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:Quotas:Default:Prod"] = "0");
        using var admin = factory.CreateClient();
        using var refused = await Create(admin, Specs.Dev("prod-web").Replace("tier: dev", "tier: prod", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await PlatformFactory.ReadAsync(refused);
        Assert.Equal(("prod", 0m, 0m, 1m), ((string?)problem["quota"], (decimal)problem["limit"]!, (decimal)problem["current"]!, (decimal)problem["requested"]!));
        var view = (await admin.GetFromJsonAsync<JsonObject>("/v1/quotas/payments", Cancel))!;
        Assert.Equal("default", (string?)view["source"]);
        Assert.Equal(0, (int)view["limits"]!["prod"]!);

        using var invalid = await admin.PutAsJsonAsync("/v1/quotas/payments", new { dev = -1, monthlyCost = -5 }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(invalid))["errors"]!.AsObject();
        Assert.Equal(["dev", "monthlyCost"], errors.Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/quotas/-bad-", Cancel)).StatusCode);

        using var operatorKey = factory.CreateClient(await factory.CreateKeyAsync("payments", "operator"));
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorKey.PutAsJsonAsync("/v1/quotas/payments", new { prod = 5 }, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorKey.GetAsync("/v1/quotas/payments", Cancel)).StatusCode);

        // An admin's own quota for the team replaces the defaults.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { prod = 1 }, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Create(operatorKey, Specs.Dev("prod-web").Replace("tier: dev", "tier: prod", StringComparison.Ordinal))).StatusCode);
    }

    [Fact]
    public async Task Concurrent_creates_on_one_host_admit_exactly_the_quota()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().PutAsJsonAsync("/v1/quotas/payments", new { dev = 3 }, Cancel)).StatusCode);
        var statuses = await ConcurrentCreatesAsync([factory.CreateClient(), factory.CreateClient()], 10);

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Concurrent_creates_through_two_replicas_on_one_PostgreSQL_admit_exactly_the_quota()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        using var a = Replica(store, "replica-a", engine);
        using var b = Replica(store, "replica-b", engine);
        Assert.Equal(HttpStatusCode.OK, (await a.CreateClient().PutAsJsonAsync("/v1/quotas/payments", new { dev = 3 }, Cancel)).StatusCode);
        var statuses = await ConcurrentCreatesAsync([a.CreateClient(), b.CreateClient()], 12);

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.UnprocessableEntity));
        Assert.Equal(3L, await store.ScalarAsync("SELECT count(*) FROM \"Environments\" WHERE \"Team\" = 'payments'"));
    }

    private static PlatformFactory Replica(TestStore store, string id, InMemoryStackEngine engine) =>
        new(store: store, engine: engine, configure: s =>
        {
            s["Platform:Replicas:Id"] = id;
            s["Platform:Passphrase"] = "replicas-share-this-passphrase";
        });

    /// <summary>Sends <paramref name="count"/> creates of distinct dev environments of one team at once, alternating between the clients.</summary>
    private static async Task<HttpStatusCode[]> ConcurrentCreatesAsync(HttpClient[] clients, int count)
    {
        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync(Cancel);
            using var response = await Create(clients[i % clients.Length], Specs.Dev($"race-{i:00}"));
            return response.StatusCode;
        }).ToList();
        start.Release(attempts.Count);
        return await Task.WhenAll(attempts);
    }

    private static Task<HttpResponseMessage> Create(HttpClient client, string spec) =>
        client.PostAsync("/v1/environments", new StringContent(spec, Encoding.UTF8, "application/yaml"), Cancel);

    private static Task<HttpResponseMessage> Put(HttpClient client, string name, string spec) =>
        client.PutAsync($"/v1/environments/{name}", new StringContent(spec, Encoding.UTF8, "application/yaml"), Cancel);
}
