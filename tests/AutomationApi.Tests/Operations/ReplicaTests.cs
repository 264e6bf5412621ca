using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Rendering;

namespace Platform.AutomationApi.Tests.Operations;

/// <summary>
/// Two service replicas (two hosts in this process, each with its own data directory and replica id) on one real
/// PostgreSQL database, driving one shared in-memory engine (the shared state backend).
/// </summary>
public sealed class ReplicaTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoHundredOperations_AcrossFiftyEnvironments_EachRunOnce_InOrderPerEnvironment_OnBothReplicas()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        var runs = new RunLog();
        using var a = Replica(store, "replica-a", new RecordingEngine(engine, "replica-a", runs));
        using var b = Replica(store, "replica-b", new RecordingEngine(engine, "replica-b", runs));
        HttpClient[] clients = [a.CreateClient(), b.CreateClient()];

        // Each environment: a create and three refreshes, sent alternately to either replica, environments at once.
        var queued = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (i, token) =>
        {
            var name = $"fleet-{i:00}";
            using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/environments")
            {
                Content = new StringContent(Specs.Dev(name), System.Text.Encoding.UTF8, "application/yaml"),
            };
            using var created = await clients[i % 2].SendAsync(create, token);
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            queued.Add((string)(await PlatformFactory.ReadAsync(created))["id"]!);
            for (var r = 1; r <= 3; r++)
            {
                using var refreshed = await clients[(i + r) % 2].PostAsync($"/v1/environments/{name}/refresh", null, token);
                Assert.Equal(HttpStatusCode.Accepted, refreshed.StatusCode);
                queued.Add((string)(await PlatformFactory.ReadAsync(refreshed))["id"]!);
            }
        });
        Assert.Equal(200, queued.Distinct().Count());

        var operations = await WaitUntilAllFinishedAsync(store, expected: 200);
        Assert.All(operations, o => Assert.True(o.State == "Succeeded", $"{o.Id} ({o.Kind} of {o.Environment}) is {o.State}"));

        // Exactly once: one engine command per operation, on the replica holding its lease.
        var commands = runs.Runs.Where(r => r.Command is "up" or "refresh").ToList();
        Assert.Equal(200, commands.Count);
        Assert.Equal(operations.Select(o => o.Id).Order(), commands.Select(c => c.RunId).Order());
        Assert.All(commands, c => Assert.Equal(operations.Single(o => o.Id == c.RunId).Owner, c.Replica));

        // In order per environment, never two at once: each run ends before the next of its environment starts.
        foreach (var environment in operations.GroupBy(o => o.Environment))
        {
            var inQueueOrder = environment.OrderBy(o => o.Sequence).Select(o => o.Id).ToList();
            var ran = commands.Where(c => c.Stack == environment.Key).OrderBy(c => c.Started).ToList();
            Assert.Equal(inQueueOrder, ran.Select(c => c.RunId));
            Assert.All(ran.Zip(ran.Skip(1)), pair => Assert.True(pair.First.Ended < pair.Second.Started, $"{pair.First.RunId} and {pair.Second.RunId} overlapped"));
        }

        // Both replicas took part.
        Assert.Contains(commands, c => c.Replica == "replica-a");
        Assert.Contains(commands, c => c.Replica == "replica-b");
    }

    [Fact]
    public async Task AReplicaThatDiesMidOperation_LosesItsLease_AndTheOtherRecoversItAfterTheLeaseRunsOut()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engine = new InMemoryStackEngine();
        var crash = new CrashSwitch();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        var a = Replica(store, "replica-a", engine, time, services => services.ConfigureDbContext<PlatformDbContext>((_, db) => db.AddInterceptors(crash)));
        string operationId;
        try
        {
            using var created = await a.PostSpecAsync(Specs.Dev("lease-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await engine.WaitForStepAsync(operationId);
            Assert.Equal("replica-a", await store.ScalarAsync($"SELECT \"LeaseOwner\" FROM \"Operations\" WHERE \"Id\" = '{operationId}'"));

            // B starts while A runs it: B's start-up recovery and its passes leave an operation with a live lease alone.
            using var b = Replica(store, "replica-b", engine, time);
            engine.Script(EngineCommand.Up, EngineScript.Succeed);
            var other = await b.CreateAndWaitAsync(Specs.Dev("other-dev"));
            Assert.Equal("succeeded", (string)other["state"]!);
            var untouched = await b.WaitForOperationAsync(operationId, TimeSpan.FromSeconds(1), "running");
            Assert.Equal("running", (string)untouched["state"]!);

            // A dies: from now on it reaches the database no more (as a killed process would), and it stops.
            crash.Crashed = true;
            a.Dispose();
            Assert.Equal("Running", await store.ScalarAsync($"SELECT \"State\" FROM \"Operations\" WHERE \"Id\" = '{operationId}'"));

            // Its lease runs out; B recovers the operation as start-up recovery would: interrupted, refresh, re-run.
            time.Advance(TimeSpan.FromSeconds(31));
            var interrupted = await b.WaitForOperationAsync(operationId);
            Assert.Equal("interrupted", (string)interrupted["state"]!);
            var rerun = await b.WaitForOperationAsync((string)interrupted["retriedAs"]!);
            Assert.Equal("succeeded", (string)rerun["state"]!);
            Assert.Equal("create", (string)rerun["kind"]!);
            Assert.Equal("ready", (string)(await b.GetEnvironmentAsync("lease-dev"))["status"]!);
            Assert.Equal(2L, await store.ScalarAsync(
                $"SELECT count(*) FROM \"Operations\" WHERE \"RecoveryOf\" = '{operationId}' AND \"LeaseOwner\" = 'replica-b' AND \"State\" = 'Succeeded'"));
            Assert.Contains(engine.Calls, c => c is { Stack: "lease-dev", Action: "clear-locks" });
        }
        finally
        {
            a.Dispose();
        }
    }

    [Fact]
    public async Task AReplicaTakingOverAnOperation_ClearsTheLockItsDeadReplicaLeftOnAnotherHost_AndRecoversItWithoutThatReplicasDisk()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var backend = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"), "shared-state");
        Directory.CreateDirectory(backend);
        var backendUrl = new Uri(backend + "/").AbsoluteUri.TrimEnd('/');
        var shared = new FakePulumi(backend);
        void Settings(Dictionary<string, string?> s, string id)
        {
            s["Platform:BackendUrl"] = backendUrl;
            s["Platform:Passphrase"] = "replicas-share-this-passphrase";
            s["Platform:Replicas:Id"] = id;
        }

        // A runs the create; its engine dies holding the stack's lock when A goes (the stand-in's hang-crash).
        var crash = new CrashSwitch();
        shared.Behave("up", "hang-crash");
        var a = new PlatformFactory(store: store, time: time, configure: s => Settings(s, "replica-a"))
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>((_, db) => db.AddInterceptors(crash)),
        };
        string operationId;
        try
        {
            using var created = await a.PostSpecAsync(Specs.Dev("takeover-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            // The step the stand-in holds in flight: from there it sits in bash's `wait` and takes the interrupt at once
            // (one arriving while it runs its first step's helpers was seen lost, and the host then kills it after its grace).
            await a.WaitForEngineStepAsync(operationId, "kubernetes:apps/v1:Deployment");
            crash.Crashed = true;
        }
        finally
        {
            a.Dispose();
        }

        // A ran on another machine: its lock file names that host (lockContent's hostname, from os.Hostname(), in
        // pkg/backend/diy/lock.go of pulumi/pulumi), so no process check here can vouch for it. And A's disk is gone.
        var lockFile = Assert.Single(shared.Locks("takeover-dev"));
        var lockText = await File.ReadAllTextAsync(lockFile, Cancel);
        await File.WriteAllTextAsync(lockFile, System.Text.RegularExpressions.Regex.Replace(lockText, "\"hostname\":\"[^\"]*\"", "\"hostname\":\"replica-a.internal\""), Cancel);
        Directory.Delete(a.DataDirectory, recursive: true);
        shared.Behave("up", "ok");
        var callsBefore = shared.Calls.Count;

        // B leaves the operation alone while A's lease lasts, then takes it over: the lease vouches for A's lock.
        using var b = new PlatformFactory(store: store, time: time, configure: s => Settings(s, "replica-b"));
        Assert.Equal("running", (string)(await b.WaitForOperationAsync(operationId, TimeSpan.FromSeconds(1), "running"))["state"]!);
        Assert.Single(shared.Locks("takeover-dev"));
        time.Advance(TimeSpan.FromSeconds(31));
        var interrupted = await b.WaitForOperationAsync(operationId);
        Assert.Equal("interrupted", (string)interrupted["state"]!);
        var rerun = await b.WaitForOperationAsync((string)interrupted["retriedAs"]!);
        Assert.True((string)rerun["state"]! == "succeeded", rerun.ToJsonString());
        Assert.Equal("ready", (string)(await b.GetEnvironmentAsync("takeover-dev"))["status"]!);

        var after = shared.Calls.Skip(callsBefore).Select(c => c.Split(' ')[0]).Where(c => c is "cancel" or "refresh" or "up").ToList();
        Assert.Equal(["cancel", "refresh", "up"], after);
        Assert.Empty(shared.Locks("takeover-dev"));
        Assert.True(File.Exists(Path.Combine(b.DataDirectory, "workspaces", "takeover-dev", "Pulumi.yaml")));
        Assert.False(Directory.Exists(Path.Combine(b.DataDirectory, "scratch", "recovery-" + operationId)));
        Assert.Contains(b.Logs.Lines, m => m.Contains("replica-a.internal", StringComparison.Ordinal) && m.Contains("stale lock", StringComparison.Ordinal));

        // Its webhooks hear of the interruption like any other outcome.
        Assert.Equal(1L, await store.ScalarAsync(
            $"SELECT count(*) FROM \"Notifications\" WHERE \"Type\" = 'operation.interrupted' AND \"DedupeKey\" = '{operationId}:operation.interrupted'"));
    }

    [Fact]
    public async Task AReplicaCutOffFromTheDatabase_StopsItsEngineBeforeItsLeaseRunsOut_AndTheOperationIsRecoveredOnceItIsBack()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engine = new InMemoryStackEngine();
        var cutOff = new CrashSwitch();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var a = Replica(store, "replica-a", engine, time, services => services.ConfigureDbContext<PlatformDbContext>((_, db) => db.AddInterceptors(cutOff)));
        using var created = await a.PostSpecAsync(Specs.Dev("fenced-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await engine.WaitForStepAsync(id);

        // A loses the database: each heartbeat fails, and before the lease would run out (30 s, renewed every 5 s) A
        // stops the engine itself, since another replica may then take the operation over and clear its lock.
        cutOff.Crashed = true;
        var running = a.Services.GetRequiredService<Platform.AutomationApi.Operations.RunningOperations>();
        for (var beat = 1; beat <= 5; beat++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Eventually.TrueAsync(() => a.Logs.Lines.Count(l => l.Contains("Could not renew the lease", StringComparison.Ordinal)) >= beat, $"Replica A never failed to renew its lease {beat} time(s).", TimeSpan.FromMinutes(2));
        }

        await Eventually.TrueAsync(() => !running.IsRunning(id), "The operation kept running on the replica that lost its lease.", TimeSpan.FromMinutes(2));
        Assert.Contains(a.Logs.Lines, l => l.Contains("runs out unrenewed", StringComparison.Ordinal));

        // The database is back; the lease has run out, and the operation is recovered as any abandoned one.
        engine.Script(EngineCommand.Up, EngineScript.Succeed);
        cutOff.Crashed = false;
        time.Advance(TimeSpan.FromSeconds(31));
        var interrupted = await a.WaitForOperationAsync(id);
        Assert.Equal("interrupted", (string)interrupted["state"]!);
        Assert.Equal("succeeded", (string)(await a.WaitForOperationAsync((string)interrupted["retriedAs"]!))["state"]!);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneName_ThroughBothReplicas_ExactlyOneWins()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        using var a = Replica(store, "replica-a", engine);
        using var b = Replica(store, "replica-b", engine);
        var statuses = (await ConcurrentCreatesAsync([a.CreateClient(), b.CreateClient()], 10, "contested-dev", idempotencyKey: null))
            .Select(answer => answer.Status).ToArray();

        Assert.Single(statuses, HttpStatusCode.Accepted);
        Assert.All(statuses.Where(s => s != HttpStatusCode.Accepted), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(1L, await store.ScalarAsync("SELECT count(*) FROM \"Environments\" WHERE \"Name\" = 'contested-dev'"));
    }

    [Fact]
    public async Task RetriesWithOneIdempotencyKey_ThroughBothReplicas_QueueOneOperation()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        using var a = Replica(store, "replica-a", engine);
        using var b = Replica(store, "replica-b", engine);
        var answers = await ConcurrentCreatesAsync([a.CreateClient(), b.CreateClient()], 8, "retried-dev", idempotencyKey: "release-7");
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Accepted, answer.Status));
        var ids = answers.Select(answer => (string)answer.Body["id"]!).ToArray();

        Assert.Single(ids.Distinct());
        Assert.Equal(1L, await store.ScalarAsync("SELECT count(*) FROM \"Operations\""));
    }

    [Fact]
    public async Task EventsFromReplicaB_FollowAnOperationRunByReplicaA_ToItsEnd_AndResumeByLastEventId()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var a = Replica(store, "replica-a", engine);
        using var created = await a.PostSpecAsync(Specs.Dev("stream-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await engine.WaitForStepAsync(id);

        using var b = Replica(store, "replica-b", engine);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{id}/events");
        using var response = await b.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        var lines = new List<string>();
        while (!lines.Any(l => l.Contains("kubernetes:core/v1:Namespace", StringComparison.Ordinal)))
        {
            lines.Add((await reader.ReadLineAsync(Cancel))!);
        }

        // A finishes it; B's stream carries the rest and ends with the outcome.
        engine.Release("stream-dev");
        var rest = await reader.ReadToEndAsync(Cancel);
        Assert.Contains("\"detail\":\"succeeded\"", rest, StringComparison.Ordinal);
        Assert.Equal("replica-a", await store.ScalarAsync($"SELECT \"LeaseOwner\" FROM \"Operations\" WHERE \"Id\" = '{id}'"));

        // Resuming from B after the second-to-last event yields only the last one.
        var ids = (lines.Concat(rest.Split('\n'))).Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => int.Parse(l[4..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{id}/events") { Headers = { { "Last-Event-ID", (ids[^1] - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) } } };
        using var resumed = await b.CreateClient().SendAsync(resume, Cancel);
        var resumedText = await resumed.Content.ReadAsStringAsync(Cancel);
        Assert.Equal([ids[^1]], resumedText.Split('\n').Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => int.Parse(l[4..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("\"detail\":\"succeeded\"", resumedText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventStoredByReplicaA_WakesAStreamOnReplicaB_ThroughListenNotify_NotItsPoll_EvenAfterTheListenerReconnects()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);

        // Nothing polls within the test's patience: only a wake-up from the other replica can move B's stream.
        static void NoPolling(Dictionary<string, string?> s) => s["Platform:EventPollInterval"] = "01:00:00";
        using var a = Replica(store, "replica-a", engine, settings: NoPolling);
        using var b = Replica(store, "replica-b", engine, settings: NoPolling);
        using var created = await a.PostSpecAsync(Specs.Dev("notify-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await engine.WaitForStepAsync(id);

        // B's listening session dies (as in a failover); B reconnects by itself, with back-off.
        var listener = b.Services.GetRequiredService<Platform.AutomationApi.Operations.OperationNotificationListener>();
        var first = await listener.ListeningAsync().WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        Assert.True(await TerminateListenersAsync(store) >= 1);
        await listener.ListeningAsync(first).WaitAsync(TimeSpan.FromMinutes(1), Cancel);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/operations/{id}/events");
        using var response = await b.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        var seen = new List<string>();
        while (!seen.Any(l => l.Contains("kubernetes:core/v1:Namespace", StringComparison.Ordinal)))
        {
            seen.Add((await reader.ReadLineAsync(Cancel))!);
        }

        // A stores the rest and the outcome; B's stream, waiting with an hour-long poll, carries them at once.
        engine.Release("notify-dev");
        var rest = await reader.ReadToEndAsync(Cancel).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        Assert.Contains("kubernetes:apps/v1:Deployment", rest, StringComparison.Ordinal);
        Assert.Contains("\"detail\":\"succeeded\"", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkQueuedThroughReplicaA_IsClaimedByAnIdleReplicaB_WokenThroughListenNotify_EachWithinItsOwnLimit()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        var runs = new RunLog();

        // A's one slot is taken by an operation that waits, and B's worker polls once an hour: only A's notification
        // can make B claim a second operation soon.
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var a = Replica(store, "replica-a", new RecordingEngine(engine, "replica-a", runs), settings: s => s["Platform:MaxConcurrentOperations"] = "1");
        using var busy = await a.PostSpecAsync(Specs.Dev("busy-dev"));
        var busyId = (string)(await PlatformFactory.ReadAsync(busy))["id"]!;
        await engine.WaitForStepAsync(busyId);

        using var b = Replica(store, "replica-b", new RecordingEngine(engine, "replica-b", runs), settings: s =>
        {
            s["Platform:WorkerPollInterval"] = "01:00:00";
            s["Platform:MaxConcurrentOperations"] = "1";
        });
        await b.Services.GetRequiredService<Platform.AutomationApi.Operations.OperationNotificationListener>().ListeningAsync().WaitAsync(TimeSpan.FromMinutes(1), Cancel);

        // Queued through A, which has no free slot: B takes it, woken by the notification of the commit.
        using var queued = await a.PostSpecAsync(Specs.Dev("woken-dev"));
        var queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
        await engine.WaitForStepAsync(queuedId).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        Assert.Equal("replica-b", await store.ScalarAsync($"SELECT \"LeaseOwner\" FROM \"Operations\" WHERE \"Id\" = '{queuedId}'"));

        // The concurrency limit is per replica: each may run one, so two run at once.
        Assert.Equal(2L, await store.ScalarAsync("SELECT count(DISTINCT \"LeaseOwner\") FROM \"Operations\" WHERE \"State\" = 'Running'"));
        engine.Release("busy-dev");
        engine.Release("woken-dev");
        Assert.Equal("succeeded", (string)(await b.WaitForOperationAsync(queuedId))["state"]!);
    }

    [Fact]
    public async Task ACancelSentToReplicaB_StopsTheEngineOnReplicaA_AtItsNextHeartbeat()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var a = Replica(store, "replica-a", engine, time);
        using var created = await a.PostSpecAsync(Specs.Dev("cancel-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await engine.WaitForStepAsync(id);

        using var b = Replica(store, "replica-b", engine, time);
        using var cancel = await b.CreateClient().PostAsync($"/v1/operations/{id}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("running", (string)(await b.WaitForOperationAsync(id, TimeSpan.FromSeconds(1), "running"))["state"]!);

        // A learns of it when it renews its lease.
        time.Advance(TimeSpan.FromSeconds(5));
        var cancelled = await b.WaitForOperationAsync(id);
        Assert.Equal("cancelled", (string)cancelled["state"]!);
    }

    [Fact]
    public async Task AReplicaThatNeverSawAnEnvironment_RefreshesAndDestroysIt_FromTheStoreAndTheSharedBackend()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var backend = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"), "shared-state");
        Directory.CreateDirectory(backend);
        var backendUrl = new Uri(backend + "/").AbsoluteUri.TrimEnd('/');
        var shared = new FakePulumi(backend);
        void SharedBackend(Dictionary<string, string?> settings)
        {
            settings["Platform:BackendUrl"] = backendUrl;
            settings["Platform:Passphrase"] = "replicas-share-this-passphrase";
        }

        using (var a = new PlatformFactory(store: store, configure: s => { SharedBackend(s); s["Platform:Replicas:Id"] = "replica-a"; }))
        {
            var created = await a.CreateAndWaitAsync(Specs.Dev("shared-dev"));
            Assert.Equal("succeeded", (string)created["state"]!);
        }

        // B has its own disk, with no workspace of the environment: it regenerates one from the stored spec.
        using var b = new PlatformFactory(store: store, configure: s => { SharedBackend(s); s["Platform:Replicas:Id"] = "replica-b"; });
        var client = b.CreateClient();
        Assert.False(Directory.Exists(Path.Combine(b.DataDirectory, "workspaces", "shared-dev")));
        using var refresh = await client.PostAsync("/v1/environments/shared-dev/refresh", null, Cancel);
        var refreshed = await b.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
        Assert.True((string)refreshed["state"]! == "succeeded", refreshed.ToJsonString());
        using var destroy = await client.DeleteAsync("/v1/environments/shared-dev", Cancel);
        var destroyed = await b.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);
        Assert.True((string)destroyed["state"]! == "succeeded", destroyed.ToJsonString());

        // One backend, as configured: both replicas' commands reached it; B's ran in B's own workspace.
        Assert.Single(shared.CallsOf("up"));
        var destroyCall = Assert.Single(shared.CallsOf("destroy"));
        Assert.Contains(Path.Combine(b.DataDirectory, "workspaces", "shared-dev"), destroyCall, StringComparison.Ordinal);
        Assert.All(shared.CallsOf("stack").Where(c => c.StartsWith("stack select", StringComparison.Ordinal)),
            c => Assert.Contains("--secrets-provider passphrase", c, StringComparison.Ordinal));
    }

    private static PlatformFactory Replica(
        TestStore store, string id, IStackEngine engine, TimeProvider? time = null, Action<IServiceCollection>? services = null,
        Action<Dictionary<string, string?>>? settings = null) =>
        new(store: store, time: time, configure: s =>
        {
            s["Platform:Replicas:Id"] = id;
            s["Platform:Passphrase"] = "replicas-share-this-passphrase";
            settings?.Invoke(s);
        })
        {
            TestServices = collection =>
            {
                collection.RemoveAll<IStackEngine>();
                collection.AddSingleton(engine);
                services?.Invoke(collection);
            },
        };

    /// <summary>Ends every replica's listening session on the test's database, as a failover would; returns how many.</summary>
    private static async Task<int> TerminateListenersAsync(TestStore store)
    {
        await using var connection = new Npgsql.NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name) AS t",
            connection);
        command.Parameters.AddWithValue("name", Platform.AutomationApi.Operations.OperationNotificationListener.ApplicationName);
        return Convert.ToInt32(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<StoredOperation>> WaitUntilAllFinishedAsync(TestStore store, int expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(8);
        while (true)
        {
            await using var connection = new Npgsql.NpgsqlConnection(store.ConnectionString);
            await connection.OpenAsync(Cancel);
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT \"Id\", \"EnvironmentName\", \"Kind\", \"State\", \"Sequence\", \"LeaseOwner\" FROM \"Operations\"", connection);
            var operations = new List<StoredOperation>();
            await using (var reader = await command.ExecuteReaderAsync(Cancel))
            {
                while (await reader.ReadAsync(Cancel))
                {
                    operations.Add(new StoredOperation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                        await reader.IsDBNullAsync(5, Cancel) ? null : reader.GetString(5)));
                }
            }

            if (operations.Count == expected && operations.All(o => o.State is not ("Queued" or "Running")))
            {
                return operations;
            }

            Assert.True(DateTime.UtcNow < until, $"{operations.Count(o => o.State is "Queued" or "Running")} of {operations.Count} operations still pending");
            await Task.Delay(250, Cancel);
        }
    }

    private sealed record StoredOperation(string Id, string Environment, string Kind, string State, long Sequence, string? Owner);

    private sealed record EngineRun(string Replica, string Stack, string Command, string RunId, long Started, long Ended);

    /// <summary>Engine commands as they ran, with a process-wide order of their starts and ends.</summary>
    private sealed class RunLog
    {
        private long _clock;

        public ConcurrentQueue<EngineRun> Runs { get; } = new();

        public long Tick() => Interlocked.Increment(ref _clock);
    }

    /// <summary>The shared engine as one replica sees it: every command run is logged with the replica that ran it.</summary>
    private sealed class RecordingEngine(InMemoryStackEngine inner, string replica, RunLog log) : IStackEngine
    {
        public void PrepareBackend() => inner.PrepareBackend();

        public Task<EngineProbeResult> ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);

        public StackWorkspace OpenWorkspace(string stack, string? scratch) => inner.OpenWorkspace(stack, scratch);

        public bool HasProgram(StackWorkspace workspace) => inner.HasProgram(workspace);

        public void WriteProgram(StackWorkspace workspace, RenderedProgram program) => inner.WriteProgram(workspace, program);

        public Task<EngineResult> SelectStackAsync(StackWorkspace workspace, RenderedProgram? program, CancellationToken cancellationToken) =>
            inner.SelectStackAsync(workspace, program, cancellationToken);

        public Task<EngineResult> SetSecretAsync(StackWorkspace workspace, string key, string value, CancellationToken cancellationToken) =>
            inner.SetSecretAsync(workspace, key, value, cancellationToken);

        public async Task<EngineResult> RunAsync(StackWorkspace workspace, EngineCommand command, string runId, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop)
        {
            var started = log.Tick();
            var result = await inner.RunAsync(workspace, command, runId, onEvent, stop);
            log.Runs.Enqueue(new EngineRun(replica, workspace.Stack, command.ToString().ToLowerInvariant(), runId, started, log.Tick()));
            return result;
        }

        public Task<(EngineResult Result, StackState? State)> ReadStateAsync(StackWorkspace workspace, CancellationToken cancellationToken) =>
            inner.ReadStateAsync(workspace, cancellationToken);

        public Task<EngineResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken) => inner.UnprotectAllAsync(workspace, cancellationToken);

        public Task<(EngineResult Result, string? Json)> ReadOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken) =>
            inner.ReadOutputsAsync(workspace, cancellationToken);

        public Task<IReadOnlyList<StackLock>> ClearStaleLocksAsync(StackWorkspace workspace, IReadOnlyList<StackLock> reported, StaleLockRule rule, CancellationToken cancellationToken) =>
            inner.ClearStaleLocksAsync(workspace, reported, rule, cancellationToken);

        public void CloseWorkspace(StackWorkspace workspace, bool succeeded) => inner.CloseWorkspace(workspace, succeeded);
    }

    /// <summary>Once thrown, every database command of the replica fails, as if its process were gone.</summary>
    private sealed class CrashSwitch : DbCommandInterceptor
    {
        public volatile bool Crashed;

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Crashed ? throw Dead() : result;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Crashed ? throw Dead() : ValueTask.FromResult(result);

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Crashed ? throw Dead() : result;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            Crashed ? throw Dead() : ValueTask.FromResult(result);

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Crashed ? throw Dead() : result;

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            Crashed ? throw Dead() : ValueTask.FromResult(result);

        private static InvalidOperationException Dead() => new("This replica is dead (test).");
    }

    /// <summary>Sends <paramref name="count"/> creates of one environment at once, alternating between the replicas' clients.</summary>
    private static async Task<(HttpStatusCode Status, JsonObject Body)[]> ConcurrentCreatesAsync(
        HttpClient[] clients, int count, string name, string? idempotencyKey)
    {
        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync(Cancel);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments")
            {
                Content = new StringContent(Specs.Dev(name), System.Text.Encoding.UTF8, "application/yaml"),
            };
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            using var response = await clients[i % 2].SendAsync(request, Cancel);
            return (response.StatusCode, await PlatformFactory.ReadAsync(response));
        }).ToList();
        start.Release(attempts.Count);
        return await Task.WhenAll(attempts);
    }
}
