using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>The CLI driver and its resilience pipeline against the scripted stand-in, through real operations.</summary>
public sealed class EngineFailureTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StaleLock_IsClearedWithCancelThenRetried()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "stale-lock-once");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("stale-dev"));

        Assert.Equal("succeeded", (string)operation["state"]!);
        Assert.Equal(2, factory.Fake.CallsOf("up").Count);
        Assert.Equal(2, (int)operation["attempts"]!);
        var cancel = Assert.Single(factory.Fake.CallsOf("cancel"));
        Assert.StartsWith("cancel --yes --stack stale-dev --non-interactive", cancel, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.Locks("stale-dev"));
        var events = await EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string)e["type"]! == "retry" && (string)e["detail"]! == "stale-lock");
    }

    [Fact]
    public async Task LiveLock_IsNeitherClearedNorRetried()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "live-lock");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("locked-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("stack-locked", (string)operation["error"]!["code"]!);
        Assert.Single(factory.Fake.CallsOf("up"));
        Assert.Empty(factory.Fake.CallsOf("cancel"));
        Assert.Equal("failed", (string)(await factory.GetEnvironmentAsync("locked-dev"))["status"]!);
    }

    [Fact]
    public async Task PluginDownloadFailure_IsTransientAndRetried()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "plugin-error-once");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("plugin-dev"));

        Assert.Equal("succeeded", (string)operation["state"]!);
        Assert.Equal(2, factory.Fake.CallsOf("up").Count);
    }

    [Fact]
    public async Task ProgramError_FailsWithoutRetry_AndReportsTheDiagnostic()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "program-error");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("broken-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("program-error", (string)operation["error"]!["code"]!);
        Assert.Single(factory.Fake.CallsOf("up"));
        Assert.Equal(1, (int)operation["attempts"]!);
        var events = await EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string)e["type"]! == "diagnostic" && (string)e["detail"]! == "error" &&
                                     ((string)e["message"]!).Contains("invalid reference", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("resource-error", "resource-error")]
    [InlineData("policy-error", "policy-violation")]
    [InlineData("crash", "engine-crashed")]
    public async Task EngineFailures_MapToPreciseCodes_WithoutRetry(string behaviour, string code)
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", behaviour);

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("fail-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal(code, (string)operation["error"]!["code"]!);
        Assert.Single(factory.Fake.CallsOf("up"));
    }

    [Fact]
    public async Task HangPastTheTimeout_InterruptsTheEngine_AndFailsWithTimeout()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:DeployTimeout"] = "00:00:02");
        factory.Fake.Behave("up", "hang");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("slow-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("timeout", (string)operation["error"]!["code"]!);
        Assert.Contains("interrupted", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.Locks("slow-dev"));
    }

    [Fact]
    public async Task HangIgnoringTheInterrupt_IsKilledAfterTheGracePeriod()
    {
        using var factory = new PlatformFactory(configure: s =>
        {
            s["Platform:DeployTimeout"] = "00:00:01";
            s["Platform:CancelGracePeriod"] = "00:00:01";
        });
        factory.Fake.Behave("up", "hang-hard");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("stuck-dev"));

        Assert.Equal("timeout", (string)operation["error"]!["code"]!);
        Assert.Contains("killed", (string)operation["error"]!["message"]!, StringComparison.Ordinal);

        // The killed engine could not release its lock; the service clears it, so the next operation runs first time.
        Assert.Empty(factory.Fake.Locks("stuck-dev"));
        factory.Fake.Behave("up", "ok");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/stuck-dev")
        {
            Content = new StringContent(Specs.Dev("stuck-dev"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var retried = await factory.CreateClient().SendAsync(request, Cancel);
        var next = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(retried))["id"]!);
        Assert.Equal("succeeded", (string)next["state"]!);
        Assert.Equal(1, (int)next["attempts"]!);
    }

    [Fact]
    public async Task Cancel_InterruptsARunningOperation_AndRecordsCancelled()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "hang");
        using var created = await factory.PostSpecAsync(Specs.Dev("cancel-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(id);

        using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);

        var operation = await factory.WaitForOperationAsync(id);
        Assert.Equal("cancelled", (string)operation["state"]!);
        Assert.Empty(factory.Fake.Locks("cancel-dev"));

        using var again = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task OperationsOfOneEnvironment_RunOneAtATimeInOrder_AndQueuedOnesCanBeCancelled()
    {
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "hang");
        var client = factory.CreateClient();
        using var created = await factory.PostSpecAsync(Specs.Dev("serial-dev"));
        var createId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(createId);

        using var refresh = await client.PostAsync("/v1/environments/serial-dev/refresh", null, Cancel);
        var refreshId = (string)(await PlatformFactory.ReadAsync(refresh))["id"]!;
        using var destroy = await client.DeleteAsync("/v1/environments/serial-dev", Cancel);
        var destroyId = (string)(await PlatformFactory.ReadAsync(destroy))["id"]!;
        await Task.Delay(600, Cancel);
        Assert.Equal("queued", (string)(await factory.WaitForOperationAsync(refreshId, states: ["queued", "running"]))["state"]!);

        using var cancelRefresh = await client.PostAsync($"/v1/operations/{refreshId}/cancel", null, Cancel);
        Assert.Equal("cancelled", (string)(await PlatformFactory.ReadAsync(cancelRefresh))["state"]!);
        using var cancelCreate = await client.PostAsync($"/v1/operations/{createId}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancelCreate.StatusCode);

        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroyId))["state"]!);
        Assert.Empty(factory.Fake.CallsOf("refresh"));
        var calls = factory.Fake.Calls.Select(c => c.Split(' ')[0]).Where(c => c is "up" or "refresh" or "destroy").ToList();
        Assert.Equal(["up", "destroy"], calls);
    }

    [Fact]
    public async Task RepeatedEngineCrashes_OpenTheTargetsCircuit_AndLaterOperationsFailFast()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:CircuitBreakerFailures"] = "2");
        factory.Fake.Behave("up", "crash");

        foreach (var name in new[] { "crash-a", "crash-b" })
        {
            var crashed = await factory.CreateAndWaitAsync(Specs.Dev(name));
            Assert.Equal("engine-crashed", (string)crashed["error"]!["code"]!);
        }

        var rejected = await factory.CreateAndWaitAsync(Specs.Dev("crash-c"));

        Assert.Equal("failed", (string)rejected["state"]!);
        Assert.Equal("target-unavailable", (string)rejected["error"]!["code"]!);
        Assert.Contains("default", (string)rejected["error"]!["message"]!, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Fake.CallsOf("up"), c => c.Contains("crash-c", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingCli_FailsTheOperationWithAClearError()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = "/nonexistent/pulumi");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("nocli-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("engine-missing", (string)operation["error"]!["code"]!);
        Assert.Contains("/nonexistent/pulumi", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
    }

    internal static async Task<List<JsonObject>> EventsAsync(PlatformFactory factory, string operationId, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{operationId}/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await factory.CreateClient().SendAsync(request, Cancel);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])
            .Select(data => JsonNode.Parse(data)!.AsObject())];
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50, Cancel);
        }

        Assert.True(condition());
    }
}
