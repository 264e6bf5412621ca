using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Resources;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class GoldenPathsAndHealthTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GoldenPaths_ListTypesTiersAndTargets()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var paths = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/golden-paths", Cancel))!;
        Assert.Equal(["web", "worker", "cron"], paths["serviceTypes"]!.AsArray().Select(t => (string)t!["type"]!));
        var resourceTypes = paths["resourceTypes"]!.AsArray();
        Assert.Equal(ResourceKinds.Names, resourceTypes.Select(t => (string)t!["type"]!));
        Assert.Equal(["postgres", "bucket", "queue"], ResourceKinds.Names.Take(3));
        // Each resource type lists its fields and what every tier decides for it.
        var postgres = resourceTypes[0]!;
        Assert.Equal("small | medium | large; default small", (string)postgres["options"]!["size"]!);
        Assert.Equal("yes", (string)postgres["tierSettings"]!["database multi-AZ"]!["prod"]!);
        Assert.Equal(["dev", "staging", "prod"], paths["tiers"]!.AsArray().Select(t => (string)t!["tier"]!));
        Assert.Contains("default", paths["targets"]!.AsArray().Select(t => (string)t!));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Readyz_IsOkWhenTheDatabaseAndEngineWork(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();
        using var live = await client.GetAsync("/healthz", Cancel);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await client.GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("v3.230.0", (string)(await PlatformFactory.ReadAsync(ready))["engine"]!);
    }

    [Fact]
    public async Task Readyz_Is503ProblemWhenTheEngineIsMissing()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = "/nonexistent/pulumi");
        using var ready = await factory.CreateClient().GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("application/problem+json", ready.Content.Headers.ContentType!.MediaType);
        Assert.Contains("/nonexistent/pulumi", (string)(await PlatformFactory.ReadAsync(ready))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocumentAndReferencePage_AreServed()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Cancel))!;
        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/v1/environments"));
        Assert.True(paths.ContainsKey("/v1/operations/{id}/events"));
        var create = paths["/v1/environments"]!["post"]!;
        Assert.Equal("CreateEnvironment", (string)create["operationId"]!);
        Assert.NotNull(create["summary"]);
        var responses = create["responses"]!.AsObject();
        Assert.True(responses.ContainsKey("202") && responses.ContainsKey("400") && responses.ContainsKey("409"), responses.ToJsonString());
        Assert.True(create["responses"]!["409"]!["content"]!.AsObject().ContainsKey("application/problem+json"));
        using var scalar = await client.GetAsync("/scalar/v1", Cancel);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
    }
}
