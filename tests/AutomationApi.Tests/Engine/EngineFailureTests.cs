using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
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

        Assert.True((string)operation["state"]! == "succeeded", operation.ToJsonString());
        Assert.Equal(2, factory.Fake.CallsOf("up").Count);
        Assert.Equal(2, (int)operation["attempts"]!);
        var cancel = Assert.Single(factory.Fake.CallsOf("cancel"));
        Assert.StartsWith("cancel --yes --stack stale-dev --non-interactive", cancel, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.Locks("stale-dev"));
        var events = await EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string)e["type"]! == "retry" && (string)e["detail"]! == "stale-lock");
    }

    [Fact]
    public async Task AnotherProjectsLiveLock_OnAStackOfTheSameName_DoesNotKeepAStaleLock()
    {
        // pulumi cancel deletes only this project's locks (CancelCurrentUpdate, pkg/backend/diy/backend.go in
        // pulumi/pulumi): another project's lock on a stack of the same name is neither judged nor touched.
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "stale-lock-once");
        var foreign = Path.Combine(factory.Fake.BackendDirectory, ".pulumi", "locks", "organization", "billing-tools", "shared-dev");
        Directory.CreateDirectory(foreign);
        var live = Path.Combine(foreign, "live.json");
        await File.WriteAllTextAsync(live,
            $$"""{"pid":{{Environment.ProcessId}},"username":"ci","hostname":"{{System.Net.Dns.GetHostName()}}","timestamp":"2026-12-03T08:00:00Z"}""", Cancel);

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("shared-dev"));

        Assert.True((string)operation["state"]! == "succeeded", operation.ToJsonString());
        Assert.Single(factory.Fake.CallsOf("cancel"));
        Assert.True(File.Exists(live));
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
    public async Task ALiveLockBehindAStaleOne_IsNeverCleared()
    {
        // pulumi cancel deletes every lock of the stack: judging only the first lock named would delete a live one.
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", "mixed-locks");

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("mixed-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("stack-locked", (string)operation["error"]!["code"]!);
        Assert.Empty(factory.Fake.CallsOf("cancel"));
        Assert.Single(factory.Fake.CallsOf("up"));
        Assert.Equal(2, factory.Fake.Locks("mixed-dev").Count);
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

        // Exit 1 and no "program failed" anywhere: only the language host's diagnostic in the event log tells.
        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("program-error", (string)operation["error"]!["code"]!);
        // The stand-in logs it as the real CLI does: a line per event, in pulumi-yaml's colours.
        Assert.Equal("The program failed at Pulumi.yaml line 14: invalid reference ${missing.id} (password [secret])",
            (string)operation["error"]!["message"]!);
        Assert.Single(factory.Fake.CallsOf("up"));
        Assert.Equal(1, (int)operation["attempts"]!);
        var events = await EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string)e["type"]! == "diagnostic" && (string)e["detail"]! == "info#err" &&
                                     ((string)e["message"]!).StartsWith("Error: invalid reference", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.ToJsonString().Contains("\\u001B", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("resource-error", "resource-error", "Resource 'api' (kubernetes:apps/v1:Deployment) failed to create: deployments.apps \"api\" is forbidden: exceeded quota")]
    [InlineData("policy-error", "policy-violation", "Policy 'no-root-containers' of pack 'platform-guardrails' rejected 'api' (kubernetes:apps/v1:Deployment): Containers must not run as root.")]
    [InlineData("crash", "engine-crashed", "runtime error: invalid memory address")]
    [InlineData("crash-goroutine", "engine-crashed", "runtime error: invalid memory address")]
    public async Task EngineFailures_MapToPreciseCodes_FromTheEventLog_WithoutRetry(string behaviour, string code, string says)
    {
        // Resource and policy failures exit 1 like any other on current CLIs: the event log says which and why.
        using var factory = new PlatformFactory();
        factory.Fake.Behave("up", behaviour);

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("fail-dev"));

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal(code, (string)operation["error"]!["code"]!);
        Assert.Contains(says, (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("<{%", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Single(factory.Fake.CallsOf("up"));
    }

    [Fact]
    public async Task HangPastTheTimeout_InterruptsTheEngine_AndFailsWithTimeout()
    {
        // The clock is the test's: the timeout fires when the test says so, never while stack select runs on a busy machine.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, configure: s => s["Platform:DeployTimeout"] = "00:05:00");
        factory.Fake.Behave("up", "hang");
        using var created = await factory.PostSpecAsync(Specs.Dev("slow-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(id, "kubernetes:apps/v1:Deployment");

        clock.Advance(TimeSpan.FromMinutes(5));
        var operation = await factory.WaitForOperationAsync(id);

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("timeout", (string)operation["error"]!["code"]!);
        Assert.Contains("interrupted", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.Locks("slow-dev"));
        Assert.Empty(factory.Fake.PendingOperations("slow-dev"));

        // The engine finished the resource it was creating before it stopped: applied in part, not failed outright.
        Assert.Equal("partial", (string)(await factory.GetEnvironmentAsync("slow-dev"))["status"]!);
    }

    [Fact]
    public async Task HangIgnoringTheInterrupt_IsKilledAfterTheGracePeriod_AndTheEnvironmentNeedsRepair()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, configure: s =>
        {
            s["Platform:DeployTimeout"] = "00:05:00";
            s["Platform:CancelGracePeriod"] = "00:30:00";
        });
        factory.Fake.Behave("up", "hang-hard");
        using var created = await factory.PostSpecAsync(Specs.Dev("stuck-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(id, "kubernetes:apps/v1:Deployment");

        // Past the timeout the engine is interrupted, and then it gets the whole grace period: no kill before it ends.
        clock.Advance(TimeSpan.FromMinutes(5));
        await factory.Fake.WaitForInterruptAsync("stuck-dev");
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("running", (string)(await factory.WaitForOperationAsync(id, states: ["running"]))["state"]!);
        clock.Advance(TimeSpan.FromMinutes(1));
        var operation = await factory.WaitForOperationAsync(id);

        Assert.Equal("timeout", (string)operation["error"]!["code"]!);
        var message = (string)operation["error"]!["message"]!;
        Assert.Contains("killed", message, StringComparison.Ordinal);
        Assert.Contains("'api' (kubernetes:apps/v1:Deployment) (creating)", message, StringComparison.Ordinal);
        var pending = Assert.Single(operation["result"]!["pendingOperations"]!.AsArray())!;
        Assert.Equal("api", (string)pending["name"]!);
        Assert.Equal("creating", (string)pending["operation"]!);
        Assert.Equal("needsRepair", (string)(await factory.GetEnvironmentAsync("stuck-dev"))["status"]!);

        // The killed engine could not release its lock; the service clears it, so the next operation runs first time,
        // after the repair refresh that clears the pending create.
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
        var repair = Assert.Single(factory.Fake.CallsOf("refresh"));
        Assert.Contains("--clear-pending-creates", repair, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.PendingOperations("stuck-dev"));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("stuck-dev"))["status"]!);
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
    public async Task MissingCli_RefusesWorkUpFrontWithAClearError()
    {
        // Issue 13: accepting the work and failing it later with engine-missing blocked the name; it is a 503 now.
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = "/nonexistent/pulumi");

        using var response = await factory.PostSpecAsync(Specs.Dev("nocli-dev"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("/nonexistent/pulumi", (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
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
}
