using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Operations;

public sealed class OperationWorkerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GlobalConcurrencyLimit_HoldsOtherEnvironmentsBack_UntilASlotFrees()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:MaxConcurrentOperations"] = "1");
        factory.Memory.Script(EngineCommand.Up, EngineScript.Hold);
        using var first = await factory.PostSpecAsync(Specs.Dev("slot-a"));
        var firstId = (string)(await PlatformFactory.ReadAsync(first))["id"]!;
        await factory.WaitForEngineStepAsync(firstId);
        using var second = await factory.PostSpecAsync(Specs.Dev("slot-b"));
        var secondId = (string)(await PlatformFactory.ReadAsync(second))["id"]!;

        await Task.Delay(800, Cancel);
        Assert.Equal("queued", (string)(await factory.WaitForOperationAsync(secondId, states: ["queued", "running"]))["state"]!);

        factory.Memory.Script(EngineCommand.Up, EngineScript.Succeed);
        using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{firstId}/cancel", null, Cancel);
        Assert.Equal("cancelled", (string)(await factory.WaitForOperationAsync(firstId))["state"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(secondId))["state"]!);
    }

    [Fact]
    public async Task DifferentEnvironments_RunInParallel_WithinTheLimit()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:MaxConcurrentOperations"] = "2");
        factory.Memory.Script(EngineCommand.Up, EngineScript.Hold);
        using var first = await factory.PostSpecAsync(Specs.Dev("par-a"));
        using var second = await factory.PostSpecAsync(Specs.Dev("par-b"));
        var ids = new[] { (string)(await PlatformFactory.ReadAsync(first))["id"]!, (string)(await PlatformFactory.ReadAsync(second))["id"]! };
        foreach (var id in ids)
        {
            Assert.Equal("running", (string)(await factory.WaitForOperationAsync(id, states: "running"))["state"]!);
        }

        foreach (var id in ids)
        {
            await factory.WaitForEngineStepAsync(id);
        }
        foreach (var id in ids)
        {
            using var cancel = await factory.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        }

        foreach (var id in ids)
        {
            Assert.Equal("cancelled", (string)(await factory.WaitForOperationAsync(id))["state"]!);
        }
    }

    [Fact]
    public async Task OperationsQueuedBehindADestroy_DoNotBringTheEnvironmentBack()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        factory.Memory.Script(EngineCommand.Destroy, EngineScript.Hold);
        await factory.CreateAndWaitAsync(Specs.Dev("gone-dev"));
        var client = factory.CreateClient();
        using var destroy = await client.DeleteAsync("/v1/environments/gone-dev", Cancel);
        var destroyId = (string)(await PlatformFactory.ReadAsync(destroy))["id"]!;
        await factory.WaitForOperationAsync(destroyId, states: "running");
        using var refresh = await client.PostAsync("/v1/environments/gone-dev/refresh", null, Cancel);
        var refreshId = (string)(await PlatformFactory.ReadAsync(refresh))["id"]!;

        factory.Memory.Release("gone-dev");
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroyId))["state"]!);
        var skipped = await factory.WaitForOperationAsync(refreshId);
        Assert.Equal("cancelled", (string)skipped["state"]!);
        Assert.Contains("destroyed", (string)skipped["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Empty(factory.Memory.CallsOf("refresh"));
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("gone-dev"))["status"]!);
    }
}
