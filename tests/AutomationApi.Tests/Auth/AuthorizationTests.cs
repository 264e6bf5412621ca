using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Auth;

/// <summary>Issue 12: every role × action × own/other team, through the real pipeline.</summary>
public sealed class AuthorizationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A one-service spec of <paramref name="team"/> on <paramref name="tier"/>.</summary>
    public static string Spec(string name, string team, string tier, string image = "registry.example.com/payments/api:1.0.0") =>
        Specs.Dev(name, team, image).Replace("tier: dev", $"tier: {tier}", StringComparison.Ordinal);

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var role in new[] { "viewer", "developer", "operator", "admin" })
        {
            foreach (var tier in new[] { "dev", "staging", "prod" })
            {
                foreach (var own in new[] { true, false })
                {
                    data.Add(role, tier, own);
                }
            }
        }

        return data;
    }

    /// <summary>What a caller of <paramref name="role"/> in team payments gets for an action on an environment of a tier, its own team's or not.</summary>
    private static HttpStatusCode Expected(string role, string tier, bool own, string action, HttpStatusCode success)
    {
        if (role == "admin")
        {
            return success;
        }

        if (!own)
        {
            // Another team's environment does not exist for the caller; a spec naming another team is refused.
            return action == "create" ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;
        }

        if (action is "get" or "get-yaml" or "history" or "spec" or "operation")
        {
            return success;
        }

        return role == "viewer" || (role == "developer" && tier == "prod") ? HttpStatusCode.Forbidden : success;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_role_gets_what_its_team_and_the_tier_allow(string role, string tier, bool own)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var team = own ? "payments" : "shipping";
        var name = $"authz-{tier}";
        var setup = await factory.CreateAndWaitAsync(Spec(name, team, tier));
        Assert.Equal("succeeded", (string)setup["state"]!);
        var key = await factory.CreateKeyAsync("payments", role);
        using var client = factory.CreateClient(key);

        async Task Check(string action, HttpStatusCode success, Func<Task<HttpResponseMessage>> send)
        {
            using var response = await send();
            var expected = Expected(role, tier, own, action, success);
            var body = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(expected == response.StatusCode, $"{role} {tier} own={own} {action}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                // One change at a time, as a caller would: the next one does not race this one's operation.
                var queued = JsonNode.Parse(body)!;
                await factory.WaitForOperationAsync((string)(queued["id"] ?? queued["operation"]!["id"])!);
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Exactly what a missing environment gets: nothing tells that it exists.
                Assert.DoesNotContain(team, body, StringComparison.Ordinal);
            }
        }

        StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");
        await Check("get", HttpStatusCode.OK, () => client.GetAsync($"/v1/environments/{name}", Cancel));
        await Check("get-yaml", HttpStatusCode.OK, async () =>
        {
            // The YAML form of a GET answers with the spec document: authorized like the JSON one.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/environments/{name}");
            request.Headers.Accept.ParseAdd("application/yaml");
            return await client.SendAsync(request, Cancel);
        });
        await Check("spec", HttpStatusCode.OK, () => client.GetAsync($"/v1/environments/{name}/spec", Cancel));
        await Check("history", HttpStatusCode.OK, () => client.GetAsync($"/v1/environments/{name}/operations", Cancel));
        await Check("operation", HttpStatusCode.OK, () => client.GetAsync($"/v1/operations/{setup["id"]}", Cancel));
        await Check("create", HttpStatusCode.Accepted, () => client.PostAsync("/v1/environments", Yaml(Spec($"new-{tier}", team, tier)), Cancel));
        await Check("update", HttpStatusCode.Accepted, () => client.PutAsync($"/v1/environments/{name}", Yaml(Spec(name, team, tier, "registry.example.com/payments/api:1.0.1")), Cancel));
        await Check("preview", HttpStatusCode.Accepted, () => client.PostAsync($"/v1/environments/{name}/preview", null, Cancel));
        await Check("refresh", HttpStatusCode.Accepted, () => client.PostAsync($"/v1/environments/{name}/refresh", null, Cancel));
        await Check("deploy", HttpStatusCode.Accepted, () => client.PostAsJsonAsync($"/v1/environments/{name}/services/api/deploy",
            new { image = "registry.example.com/payments/api:1.0.2" }, Cancel));
        if (tier != "prod")
        {
            await Check("extend", HttpStatusCode.OK, () => client.PostAsJsonAsync($"/v1/environments/{name}/extend", new { ttl = "2d" }, Cancel));
        }

        await Check("destroy", HttpStatusCode.Accepted, () => client.DeleteAsync($"/v1/environments/{name}?force=true", Cancel));
    }

    [Theory]
    [InlineData("/v1/keys")]
    [InlineData("/v1/quotas/payments")]
    [InlineData("/v1/audit")]
    public async Task An_admin_only_endpoint_says_which_role_it_needs(string path)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var developer = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));

        using var response = await developer.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await PlatformFactory.ReadAsync(response);
        Assert.Equal("This needs the 'admin' role; this caller has 'developer'. Ask an admin for a key with that role.", (string?)problem["detail"]);
        Assert.Equal("admin", (string?)problem["requiredRole"]);
        Assert.Equal("developer", (string?)problem["role"]);
    }

    [Fact]
    public async Task Lists_show_only_the_callers_team_and_admins_see_every_team()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        foreach (var (name, team) in new[] { ("list-pay-a", "payments"), ("list-pay-b", "payments"), ("list-ship", "shipping") })
        {
            using var created = await factory.PostSpecAsync(Spec(name, team, "dev"));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        }

        using var viewer = factory.CreateClient(await factory.CreateKeyAsync("payments", "viewer"));
        async Task<string[]> NamesAsync(HttpClient client, string query = "") =>
            [.. (await client.GetFromJsonAsync<JsonObject>($"/v1/environments{query}", Cancel))!["items"]!.AsArray().Select(i => (string)i!["name"]!)];

        Assert.Equal(["list-pay-a", "list-pay-b"], await NamesAsync(viewer));
        Assert.Empty(await NamesAsync(viewer, "?team=shipping"));
        Assert.Equal(["list-pay-a", "list-pay-b", "list-ship"], await NamesAsync(factory.CreateClient()));
    }

    [Fact]
    public async Task A_spec_naming_another_team_is_refused_naming_metadata_team_and_so_is_moving_to_prod_as_a_developer()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var developer = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));

        using var other = await developer.PostAsync("/v1/environments", new StringContent(Spec("team-x", "shipping", "dev"), Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        var problem = await PlatformFactory.ReadAsync(other);
        Assert.Contains("metadata.team", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("'payments'", (string)problem["detail"]!, StringComparison.Ordinal);

        var created = await DeveloperCreatesAsync(factory, developer, "team-dev");
        Assert.Equal("succeeded", (string)created["state"]!);
        using var toProd = await developer.PutAsync("/v1/environments/team-dev", new StringContent(Spec("team-dev", "payments", "prod"), Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, toProd.StatusCode);
        var denied = await PlatformFactory.ReadAsync(toProd);
        Assert.Equal("operator", (string)denied["requiredRole"]!);
        Assert.Equal("developer", (string)denied["role"]!);
    }

    [Fact]
    public async Task Promoting_from_another_teams_environment_is_as_if_it_did_not_exist()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Spec("promo-ship", "shipping", "staging"));
        await factory.CreateAndWaitAsync(Spec("promo-pay", "payments", "staging"));
        using var developer = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));

        using var response = await developer.PostAsJsonAsync("/v1/environments/promo-pay/promote", new { from = "promo-ship" }, Cancel);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no live environment named 'promo-ship'", (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idempotency_key_belongs_to_the_callers_team_another_team_reusing_it_gets_no_replay()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var payments = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));
        using var shipping = factory.CreateClient(await factory.CreateKeyAsync("shipping", "developer"));
        async Task<HttpResponseMessage> CreateAsync(HttpClient client, string spec)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments")
            {
                Content = new StringContent(spec, Encoding.UTF8, "application/yaml"),
            };
            request.Headers.Add("Idempotency-Key", "shared-key-1");
            return await client.SendAsync(request, Cancel);
        }

        using var first = await CreateAsync(payments, Spec("idem-pay", "payments", "dev"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var operation = (string)(await PlatformFactory.ReadAsync(first))["id"]!;

        // The same request from another team is judged as its own (a spec naming another team), not replayed.
        using var copied = await CreateAsync(shipping, Spec("idem-pay", "payments", "dev"));
        Assert.Equal(HttpStatusCode.Forbidden, copied.StatusCode);
        Assert.DoesNotContain(operation, await copied.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        // Its own request with the same key is a new operation, not a 422 for a key "reused" by someone else.
        using var own = await CreateAsync(shipping, Spec("idem-ship", "shipping", "dev"));
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.NotEqual(operation, (string)(await PlatformFactory.ReadAsync(own))["id"]!);

        // The first team's retry still replays its operation.
        using var retry = await CreateAsync(payments, Spec("idem-pay", "payments", "dev"));
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(operation, (string)(await PlatformFactory.ReadAsync(retry))["id"]!);
    }

    private static async Task<JsonObject> DeveloperCreatesAsync(PlatformFactory factory, HttpClient developer, string name)
    {
        using var response = await developer.PostAsync("/v1/environments", new StringContent(Spec(name, "payments", "dev"), Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(response))["id"]!);
    }
}
