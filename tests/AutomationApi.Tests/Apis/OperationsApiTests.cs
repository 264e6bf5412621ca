using System.Net;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class OperationsApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Events_StreamEngineProgressAsSse_AndResumeAfterLastEventId(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        var operation = await factory.CreateAndWaitAsync(Specs.Dev("sse-dev"));
        var id = (string)operation["id"]!;

        var all = await EngineFailureTests.EventsAsync(factory, id);
        Assert.Equal(Enumerable.Range(1, all.Count), all.Select(e => (int)e["sequence"]!));
        Assert.Equal("queued", (string)all[0]["detail"]!);
        Assert.Equal("succeeded", (string)all[^1]["detail"]!);
        Assert.Contains(all, e => (string)e["type"]! == "step" && ((string)e["urn"]!).Contains("kubernetes:apps/v1:Deployment", StringComparison.Ordinal));
        Assert.Contains(all, e => (string)e["type"]! == "summary");

        var resumed = await EngineFailureTests.EventsAsync(factory, id, lastEventId: "3");
        Assert.Equal(all.Skip(3).Select(e => (int)e["sequence"]!), resumed.Select(e => (int)e["sequence"]!));
    }

    [Fact]
    public async Task Events_OfARunningOperation_ArriveLiveAndTheStreamEndsWhenItFinishes()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "hang");
        using var created = await factory.PostSpecAsync(Specs.Dev("live-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForOperationAsync(id, states: "running");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{id}/events");
        using var response = await factory.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        var lines = new List<string>();
        while (!lines.Any(l => l.Contains("kubernetes:apps/v1:Deployment", StringComparison.Ordinal)))
        {
            lines.Add((await reader.ReadLineAsync(Cancel))!);
        }

        // Still running: the stream is open. Cancel it; the stream reports the end and closes.
        using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        var rest = await reader.ReadToEndAsync(Cancel);
        Assert.Contains("\"detail\":\"cancelled\"", rest, StringComparison.Ordinal);
        Assert.Matches(@"id: \d+\nevent: state\ndata: ", rest);
    }

    [Fact]
    public async Task UnknownOperation_Is404Problem_AndBadLastEventIdIs400()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        using var missing = await client.GetAsync("/v1/operations/op_nope", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        using var events = await client.GetAsync("/v1/operations/op_nope/events", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
        using var cancel = await client.PostAsync("/v1/operations/op_nope/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("badid-dev"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{operation["id"]}/events") { Headers = { { "Last-Event-ID", "abc" } } };
        using var bad = await client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
