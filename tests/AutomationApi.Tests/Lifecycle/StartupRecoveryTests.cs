using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Lifecycle;

public sealed class StartupRecoveryTests
{
    // The resource the stand-in holds in flight while it hangs: once its step is reported the engine waits on a builtin
    // `wait`, where its interrupt trap runs at once. An interrupt during the step before it lands while bash runs a
    // helper in the foreground (the pending-operation bookkeeping), where bash has been seen to lose it and exit 0
    // (about 1 run in 10): the engine then neither answers the interrupt nor crashes as the test means it to.
    private const string HeldInFlight = "kubernetes:apps/v1:Deployment";

    // The worker's pass calls recovery every poll: on SQLite (one process per file) only start-up can find anything
    // abandoned, so a later pass opens no unit of work; on PostgreSQL every pass looks for leases that ran out.
    [Theory]
    [InlineData(TestStore.Sqlite, 0)]
    [InlineData(TestStore.Postgres, 1)]
    public async Task A_recovery_pass_after_start_up_opens_a_unit_of_work_only_where_another_replica_can_abandon_work(string store, int contexts)
    {
        await using var database = await TestStore.CreateAsync(store);
        var counted = new CountedContexts();
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine())
        {
            TestServices = services => services.Replace(ServiceDescriptor.Singleton<IDbContextFactory<PlatformDbContext>>(provider =>
                counted.Wrap(ActivatorUtilities.CreateInstance<Platform.AutomationApi.Storage.Migrations.ProviderDbContextFactory>(provider)))),
        };
        var recovery = factory.Services.GetRequiredService<StartupRecovery>();
        var none = new HashSet<string>(StringComparer.Ordinal);

        Assert.Equal(0, await counted.CountAsync(() => recovery.RecoverAbandonedAsync(startup: false, none, TestContext.Current.CancellationToken)));
        Assert.Equal(contexts, counted.Last);
        Assert.Equal(0, await counted.CountAsync(() => recovery.RecoverAbandonedAsync(startup: true, none, TestContext.Current.CancellationToken)));
        Assert.Equal(1, counted.Last);
    }

    /// <summary>Counts the contexts created by the calls made inside <see cref="CountAsync"/> (their async flow only, not the worker's).</summary>
    private sealed class CountedContexts
    {
        private readonly AsyncLocal<StrongBox<int>?> _counter = new();

        public int Last { get; private set; }

        public IDbContextFactory<PlatformDbContext> Wrap(IDbContextFactory<PlatformDbContext> inner) => new Counting(inner, this);

        public async Task<T> CountAsync<T>(Func<Task<T>> call)
        {
            var counter = new StrongBox<int>(0);
            _counter.Value = counter;
            try
            {
                return await call();
            }
            finally
            {
                _counter.Value = null;
                Last = counter.Value;
            }
        }

        private sealed class Counting(IDbContextFactory<PlatformDbContext> inner, CountedContexts owner) : IDbContextFactory<PlatformDbContext>
        {
            public PlatformDbContext CreateDbContext()
            {
                if (owner._counter.Value is { } counter)
                {
                    Interlocked.Increment(ref counter.Value);
                }

                return inner.CreateDbContext();
            }
        }
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task HostStoppedMidOperation_NextStartMarksItInterrupted_ClearsTheLock_RefreshesAndRunsItAgain(string store)
    {
        string dataDirectory;
        string operationId;
        await using var database = await TestStore.CreateAsync(store);
        using (var first = new PlatformFactory(store: database, time: new FakeTimeProvider(DateTimeOffset.UtcNow)))
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("crash-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForOperationAsync(operationId, states: "running");
            await first.WaitForEngineStepAsync(operationId, HeldInFlight);
            await StopWhileTheEngineRunsAsync(first, "crash-dev", operationId);
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
        using (var first = new PlatformFactory(store: database, configure: s => s["Platform:MaxConcurrentOperations"] = "1", time: new FakeTimeProvider(DateTimeOffset.UtcNow)))
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang");
            using var running = await first.PostSpecAsync(Specs.Dev("busy-dev"));
            runningId = (string)(await PlatformFactory.ReadAsync(running))["id"]!;
            await first.WaitForEngineStepAsync(runningId, HeldInFlight);
            using var queued = await first.PostSpecAsync(Specs.Dev("waiting-dev"));
            queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
            await StopWhileTheEngineRunsAsync(first, "busy-dev", runningId);
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

        // The first host runs on the test's clock, so the grace period after its shutdown interrupt never runs out
        // behind the test's back: its engine is never killed, and a killed engine's lock is (rightly) cleared at once,
        // which would leave this test no lock to hand to a live process.
        var first = new PlatformFactory(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        try
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("held-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForOperationAsync(operationId, states: "running");
            await first.WaitForEngineStepAsync(operationId, HeldInFlight);

            // Stopping the host interrupts the engine, which then dies holding its lock, as a crash leaves it.
            // Interrupted, not killed: the lock left behind is the one the crashed engine held.
            await StopWhileTheEngineRunsAsync(first, "held-dev", operationId);
        }
        finally
        {
            first.Dispose();
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
        using (var first = new PlatformFactory(time: new FakeTimeProvider(DateTimeOffset.UtcNow)))
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang");
            using var created = await first.PostSpecAsync(Specs.Dev("later-dev"));
            var createId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await first.WaitForEngineStepAsync(createId, HeldInFlight);
            var update = await Apis.EnvironmentUpdateTests.PutAsync(first, "later-dev", Specs.Dev("later-dev", image: "registry.example.com/payments/api:2.0.0"));
            updateId = (string)update["id"]!;
            await StopWhileTheEngineRunsAsync(first, "later-dev", createId);
        }

        using var second = new PlatformFactory(dataDirectory);
        second.Fake.Behave("up", "ok");
        Assert.Equal("succeeded", (string)(await second.WaitForOperationAsync(updateId))["state"]!);

        var environment = await second.GetEnvironmentAsync("later-dev");
        Assert.Equal(updateId, (string)environment["lastOperation"]!["id"]!);
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("registry.example.com/payments/api:2.0.0", (string)environment["spec"]!["spec"]!["services"]![0]!["image"]!);
    }

    /// <summary>
    /// Stops <paramref name="host"/> while the engine of <paramref name="stack"/> runs <paramref name="operationId"/>:
    /// the shutdown interrupts the engine and leaves the operation running for the next start's recovery. The host runs
    /// on a <see cref="FakeTimeProvider"/> nobody advances, so the grace period after the interrupt never runs out behind
    /// the test's back: a slow machine cannot turn the interrupt into a kill (whose lock is cleared at once and whose
    /// pending operations call for a repair refresh: another scenario than the tests'). The stop is waited for as a
    /// condition, never for a time: on this clock it can only end once the engine has answered the interrupt (or the
    /// host's own shutdown timeout gave up on it); the engine's own "interrupted" signal then tells which.
    /// </summary>
    private static async Task StopWhileTheEngineRunsAsync(PlatformFactory host, string stack, string operationId)
    {
        Assert.IsType<FakeTimeProvider>(host.Time);
        await Task.Run(host.Dispose, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);

        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Killing process", StringComparison.Ordinal));
        Assert.True(host.Fake.WasInterrupted(stack), $"The engine of {stack} never received SIGINT.");
        Assert.Contains(host.Logs.Lines, l => l.Contains($"Operation {operationId} left running for recovery", StringComparison.Ordinal));
    }
}
