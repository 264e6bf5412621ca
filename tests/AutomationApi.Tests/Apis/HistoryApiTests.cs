using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>Issue 13: an environment's history, newest first, cursor-paged, with outcome, duration and plan diff.</summary>
public sealed class HistoryApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task History_pages_newest_first_with_outcome_duration_and_the_plan_diff_each_applied()
    {
        using var factory = new PlatformFactory();
        var client = factory.CreateClient();
        var created = await factory.CreateAndWaitAsync(Specs.Dev("hist-dev"));
        var updated = await PutAndWaitAsync(factory, Specs.Dev("hist-dev", image: "registry.example.com/payments/api:2.0.0"));
        using var refreshed = await client.PostAsync("/v1/environments/hist-dev/refresh", null, Cancel);
        var refresh = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refreshed))["id"]!);

        var first = (await client.GetFromJsonAsync<JsonObject>("/v1/environments/hist-dev/operations?limit=2", Cancel))!;
        var items = first["items"]!.AsArray();
        Assert.Equal([(string)refresh["id"]!, (string)updated["id"]!], items.Select(i => (string)i!["id"]!));
        Assert.Null(items[0]!["planDiff"]);
        var update = items[1]!;
        Assert.Equal("update", (string)update["kind"]!);
        Assert.Equal("succeeded", (string)update["outcome"]!);
        Assert.Equal("api", (string)update["origin"]!);
        // Who asked: the key the request was sent with (the test's admin key).
        Assert.Equal($"key:{Platform.AutomationApi.Auth.ApiKeySecrets.Split(PlatformFactory.AdminKey).Id}", (string?)update["actor"]);
        Assert.Matches("^([0-9]+[smhd])+$", (string)update["duration"]!);
        Assert.Contains("api-deployment (kubernetes:apps/v1:Deployment)", update["planDiff"]!["changed"]!.AsArray().Select(c => (string)c!));
        Assert.Empty(update["planDiff"]!["added"]!.AsArray());

        var cursor = (string)first["nextCursor"]!;
        var second = (await client.GetFromJsonAsync<JsonObject>($"/v1/environments/hist-dev/operations?limit=2&cursor={cursor}", Cancel))!;
        var create = Assert.Single(second["items"]!.AsArray())!;
        Assert.Equal((string)created["id"]!, (string)create["id"]!);
        Assert.Null(second["nextCursor"]);
        Assert.Contains("api-deployment (kubernetes:apps/v1:Deployment)", create["planDiff"]!["added"]!.AsArray().Select(c => (string)c!));

        using var unknown = await client.GetAsync("/v1/environments/nope-dev/operations", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badCursor = await client.GetAsync("/v1/environments/hist-dev/operations?cursor=zz", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    private static async Task<JsonObject> PutAndWaitAsync(PlatformFactory factory, string spec)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/hist-dev") { Content = new StringContent(spec, System.Text.Encoding.UTF8, "application/yaml") };
        using var response = await factory.CreateClient().SendAsync(put, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(response))["id"]!);
    }
}
