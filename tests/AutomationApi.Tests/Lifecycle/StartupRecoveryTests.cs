using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Lifecycle;

public sealed class StartupRecoveryTests
{
    [Fact]
    public async Task HostStoppedMidOperation_NextStartMarksItInterrupted_ClearsTheLock_RefreshesAndRunsItAgain()
    {
        string dataDirectory;
        string operationId;
        using (var first = new PlatformFactory())
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("crash-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForOperationAsync(operationId, states: "running");
            await EngineFailureTests.WaitUntilAsync(() => first.Fake.Locks("crash-dev").Count == 1);
            await EngineFailureTests.WaitUntilAsync(() => first.Fake.CallsOf("up").Count == 1);
        }

        // The engine died holding its lock, and the operation is still recorded as running: what a crash leaves.
        using var second = new PlatformFactory(dataDirectory);
        Assert.Single(second.Fake.Locks("crash-dev"));
        second.Fake.Behave("up", "ok");
        var callsBefore = second.Fake.Calls.Count;

        var interrupted = await second.WaitForOperationAsync(operationId);
        Assert.Equal("interrupted", (string)interrupted["state"]!);
        var rerunId = (string)interrupted["retriedAs"]!;
        var rerun = await second.WaitForOperationAsync(rerunId);
        Assert.Equal("succeeded", (string)rerun["state"]!);
        Assert.Equal("create", (string)rerun["kind"]!);
        Assert.Equal(operationId, (string)rerun["recoveryOf"]!);
        Assert.Equal("ready", (string)(await second.GetEnvironmentAsync("crash-dev"))["status"]!);

        var after = second.Fake.Calls.Skip(callsBefore).Select(c => c.Split(' ')[0]).Where(c => c is "cancel" or "refresh" or "up" or "destroy").ToList();
        Assert.Equal(["cancel", "refresh", "up"], after);
        Assert.Empty(second.Fake.Locks("crash-dev"));
    }
}
