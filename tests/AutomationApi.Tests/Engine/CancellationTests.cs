using System.Net;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>
/// Cancelling never orphans cloud resources: an interrupted engine finishes its in-flight resource operations (the
/// stand-in holds one open until the test lets it finish), only a force-cancel kills it, and a kill leaves the
/// environment needing repair. The clock is the test's, so no grace period can run out behind its back.
/// </summary>
public sealed class CancellationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // The resource the stand-in holds in flight.
    private const string Deployment = "kubernetes:apps/v1:Deployment";

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Cancel_WaitsForTheInFlightResourceOperation_AndLeavesTheEnvironmentPartial()
    {
        using var factory = new PlatformFactory(time: Clock());
        factory.Fake.Behave("up", "hang-inflight");
        using var created = await factory.PostSpecAsync(Specs.Dev("inflight-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(id, Deployment);

        using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await factory.Fake.WaitForInterruptAsync("inflight-dev");

        // The engine is creating a resource: it is left to finish, however long that takes.
        Assert.Equal("running", (string)(await factory.WaitForOperationAsync(id, states: ["running"]))["state"]!);
        Assert.NotEmpty(factory.Fake.PendingOperations("inflight-dev"));
        factory.Fake.FinishInFlight("inflight-dev");
        var operation = await factory.WaitForOperationAsync(id);

        Assert.Equal("cancelled", (string)operation["state"]!);
        Assert.Null(operation["result"]);
        Assert.Empty(factory.Fake.PendingOperations("inflight-dev"));
        Assert.Empty(factory.Fake.Locks("inflight-dev"));

        // Two resources were created before it stopped: the environment says it is partly applied, not clean.
        Assert.Equal("partial", (string)(await factory.GetEnvironmentAsync("inflight-dev"))["status"]!);

        using var refresh = await factory.CreateClient().PostAsync("/v1/environments/inflight-dev/refresh", null, Cancel);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!))["state"]!);
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("inflight-dev"))["status"]!);
    }

    [Fact]
    public async Task ForceCancel_KillsTheEngine_RecordsThePendingOperations_AndARefreshRepairsThem()
    {
        using var factory = new PlatformFactory(time: Clock());
        factory.Fake.Behave("up", "hang-inflight");
        using var created = await factory.PostSpecAsync(Specs.Dev("force-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await factory.WaitForEngineStepAsync(id, Deployment);

        using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel?force=true", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var operation = await factory.WaitForOperationAsync(id);

        Assert.Equal("cancelled", (string)operation["state"]!);
        Assert.Contains("Force-cancelled", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Contains("'api' (kubernetes:apps/v1:Deployment) (creating)", (string)operation["error"]!["message"]!, StringComparison.Ordinal);
        var pending = Assert.Single(operation["result"]!["pendingOperations"]!.AsArray())!;
        Assert.Equal("urn:pulumi:force-dev::platform-force-dev::kubernetes:apps/v1:Deployment::api", (string)pending["urn"]!);
        Assert.Equal("needsRepair", (string)(await factory.GetEnvironmentAsync("force-dev"))["status"]!);
        Assert.Empty(factory.Fake.Locks("force-dev"));
        var events = await EngineFailureTests.EventsAsync(factory, id);
        Assert.Contains(events, e => (string)e["type"]! == "cancel" && (string?)e["detail"] == "force");
        Assert.Equal("cancelled", (string)events[^1]["detail"]!);

        // A refresh is the repair: it clears the pending create, and says which it cleared (it may exist in the cloud).
        using var refresh = await factory.CreateClient().PostAsync("/v1/environments/force-dev/refresh", null, Cancel);
        var repaired = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
        Assert.Equal("succeeded", (string)repaired["state"]!);
        Assert.Equal("api", (string)repaired["result"]!["clearedPendingOperations"]![0]!["name"]!);
        Assert.Contains("--clear-pending-creates", Assert.Single(factory.Fake.CallsOf("refresh")), StringComparison.Ordinal);
        Assert.Empty(factory.Fake.PendingOperations("force-dev"));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("force-dev"))["status"]!);
    }

    [Fact]
    public async Task Shutdown_InterruptsTheEngine_AndWaitsForItsInFlightResourceOperation()
    {
        var factory = new PlatformFactory(time: Clock());
        try
        {
            factory.Fake.Behave("up", "hang-inflight");
            using var created = await factory.PostSpecAsync(Specs.Dev("shutdown-dev"));
            var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await factory.WaitForEngineStepAsync(id, Deployment);

            var stopping = Task.Run(factory.Dispose, Cancel);
            await factory.Fake.WaitForInterruptAsync("shutdown-dev");
            Assert.False(stopping.IsCompleted);
            Assert.NotEmpty(factory.Fake.PendingOperations("shutdown-dev"));

            factory.Fake.FinishInFlight("shutdown-dev");
            await stopping.WaitAsync(TimeSpan.FromMinutes(2), Cancel);

            // Not killed: nothing is left pending, and the lock was released by the engine itself.
            Assert.Empty(factory.Fake.PendingOperations("shutdown-dev"));
            Assert.Empty(factory.Fake.Locks("shutdown-dev"));
        }
        finally
        {
            factory.Dispose();
        }
    }
}
