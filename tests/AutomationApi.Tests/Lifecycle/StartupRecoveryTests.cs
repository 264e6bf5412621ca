using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Lifecycle;

public sealed class StartupRecoveryTests
{
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task HostStoppedMidOperation_NextStartMarksItInterrupted_ClearsTheLock_RefreshesAndRunsItAgain(string store)
    {
        string dataDirectory;
        string operationId;
        await using var database = await TestStore.CreateAsync(store);
        using (var first = new PlatformFactory(store: database))
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("crash-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForOperationAsync(operationId, states: "running");
            await first.WaitForEngineStepAsync(operationId);
        }

        // The engine died holding its lock, and the operation is still recorded as running: what a crash leaves.
        using var second = new PlatformFactory(dataDirectory, store: database);
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

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task QueuedOperations_SurviveARestart_AndRunAfterward(string store)
    {
        string dataDirectory;
        string queuedId;
        string runningId;
        await using var database = await TestStore.CreateAsync(store);
        using (var first = new PlatformFactory(store: database, configure: s => s["Platform:MaxConcurrentOperations"] = "1"))
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang");
            using var running = await first.PostSpecAsync(Specs.Dev("busy-dev"));
            runningId = (string)(await PlatformFactory.ReadAsync(running))["id"]!;
            await first.WaitForEngineStepAsync(runningId);
            using var queued = await first.PostSpecAsync(Specs.Dev("waiting-dev"));
            queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
        }

        using var second = new PlatformFactory(dataDirectory, store: database);
        second.Fake.Behave("up", "ok");
        var waited = await second.WaitForOperationAsync(queuedId);
        Assert.True((string)waited["state"]! == "succeeded", waited.ToJsonString());
        Assert.Equal("ready", (string)(await second.GetEnvironmentAsync("waiting-dev"))["status"]!);
        var interrupted = await second.WaitForOperationAsync(runningId);
        var rerun = await second.WaitForOperationAsync((string)interrupted["retriedAs"]!);
        Assert.True((string)rerun["state"]! == "succeeded", rerun.ToJsonString());
        Assert.Equal("ready", (string)(await second.GetEnvironmentAsync("busy-dev"))["status"]!);
    }

    [Fact]
    public async Task ALockHeldByALiveProcess_IsNeverCleared()
    {
        string dataDirectory;
        string operationId;
        using (var first = new PlatformFactory())
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("held-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForOperationAsync(operationId, states: "running");
            await first.WaitForEngineStepAsync(operationId);
        }

        // Someone else's live process (pid 1 always exists) now holds the stack.
        var lockFile = Assert.Single(new FakePulumi(Path.Combine(dataDirectory, "backend")).Locks("held-dev"));
        var text = await File.ReadAllTextAsync(lockFile, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(lockFile, System.Text.RegularExpressions.Regex.Replace(text, "\"pid\":\\d+", "\"pid\":1"), TestContext.Current.CancellationToken);

        using var second = new PlatformFactory(dataDirectory);
        var interrupted = await second.WaitForOperationAsync(operationId);
        var rerun = await second.WaitForOperationAsync((string)interrupted["retriedAs"]!);

        Assert.Equal("failed", (string)rerun["state"]!);
        Assert.Equal("stack-locked", (string)rerun["error"]!["code"]!);
        Assert.Empty(second.Fake.CallsOf("cancel"));
        Assert.Single(second.Fake.Locks("held-dev"));
    }

    [Fact]
    public async Task TheReRunOfAnInterruptedCreate_LeavesANewerQueuedUpdateAsTheLastOperation()
    {
        string dataDirectory;
        string updateId;
        using (var first = new PlatformFactory())
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang");
            using var created = await first.PostSpecAsync(Specs.Dev("later-dev"));
            await first.WaitForEngineStepAsync((string)(await PlatformFactory.ReadAsync(created))["id"]!);
            var update = await Apis.EnvironmentUpdateTests.PutAsync(first, "later-dev", Specs.Dev("later-dev", image: "registry.example.com/payments/api:2.0.0"));
            updateId = (string)update["id"]!;
        }

        using var second = new PlatformFactory(dataDirectory);
        second.Fake.Behave("up", "ok");
        Assert.Equal("succeeded", (string)(await second.WaitForOperationAsync(updateId))["state"]!);

        var environment = await second.GetEnvironmentAsync("later-dev");
        Assert.Equal(updateId, (string)environment["lastOperation"]!["id"]!);
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("registry.example.com/payments/api:2.0.0", (string)environment["spec"]!["spec"]!["services"]![0]!["image"]!);
    }
}
