using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// Issue 14: environment reads served from a cache of their answers, and what keeps it honest — a write is seen by
/// the next read on the same replica, by another replica once its notification arrives, and by any replica after
/// <c>Platform:ReadCache:Duration</c> at the latest; every caller is still authorized; no secret is kept.
/// </summary>
public sealed class EnvironmentReadCacheTests
{
    private static readonly EnvironmentScope Payments = new("payments", Tier.Dev);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void An_entry_is_served_until_its_duration_has_passed()
    {
        var clock = new FakeTimeProvider();
        var cache = Cache(clock);
        cache.Store("shop", cache.Begin("shop"), Payments, [1]);

        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.NotNull(cache.Find("shop"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Null(cache.Find("shop"));
    }

    [Fact]
    public void A_read_under_way_when_its_environment_changed_is_not_kept()
    {
        var cache = Cache(new FakeTimeProvider());
        var before = cache.Begin("shop");
        var pageBefore = cache.BeginPage();
        cache.Changed("shop");
        cache.Store("shop", before, Payments, [1]);
        cache.StorePage("page", pageBefore, [1]);
        Assert.Null(cache.Find("shop"));
        Assert.Null(cache.FindPage("page"));

        var beforeAll = cache.Begin("shop");
        cache.ChangedAll();
        cache.Store("shop", beforeAll, Payments, [1]);
        Assert.Null(cache.Find("shop"));

        cache.Store("shop", cache.Begin("shop"), Payments, [2]);
        Assert.Equal([2], cache.Find("shop")!.Json);
    }

    [Fact]
    public void A_change_drops_its_environment_and_every_page_but_not_other_environments()
    {
        var cache = Cache(new FakeTimeProvider());
        cache.Store("shop", cache.Begin("shop"), Payments, [1]);
        cache.Store("blog", cache.Begin("blog"), Payments, [2]);
        cache.StorePage("page", cache.BeginPage(), [3]);

        cache.Changed("shop");

        Assert.Null(cache.Find("shop"));
        Assert.NotNull(cache.Find("blog"));
        Assert.Null(cache.FindPage("page"));
    }

    /// <summary>
    /// While a save of an environment is under way, reads of it go to the store and keep nothing: dropping only after
    /// the commit left an instant in which a caller that had already seen its operation finish was served the answer
    /// from before (An_expired_environment_read_from_the_cache_shows_the_reapers_destroy failed so in CI, 2026-12-03).
    /// </summary>
    [Fact]
    public async Task During_a_save_reads_of_its_environment_go_to_the_store_and_keep_nothing()
    {
        var cache = Cache(new FakeTimeProvider());
        var reads = 0;
        Task<EnvironmentReadCache.Entry?> Read(CancellationToken _) =>
            Task.FromResult<EnvironmentReadCache.Entry?>(new(Payments, [(byte)++reads], 0));
        cache.Store("shop", cache.Begin("shop"), Payments, [0]);
        cache.StorePage("page", cache.BeginPage(), [0]);

        cache.Changing("shop");
        Assert.Null(cache.Find("shop"));
        Assert.Null(cache.FindPage("page"));
        Assert.Equal([1], (await cache.GetAsync("shop", Read, Cancel))!.Json);
        Assert.Equal([2], (await cache.GetAsync("shop", Read, Cancel))!.Json);
        Assert.Equal([3], (await cache.GetPageAsync("page", Read, Cancel))!.Json);
        cache.Store("shop", cache.Begin("shop"), Payments, [9]);
        Assert.Null(cache.Find("shop"));


        cache.Settled("shop");
        Assert.Equal([4], (await cache.GetAsync("shop", Read, Cancel))!.Json);
        Assert.Equal([4], (await cache.GetAsync("shop", Read, Cancel))!.Json);
        Assert.Equal(4, reads);
    }

    /// <summary>The stores mark it: while the save that creates an environment runs, nothing read of it is kept.</summary>
    [Fact]
    public async Task A_save_of_an_environment_marks_it_changing_until_it_settles()
    {
        var probe = new DuringEnvironmentWrite();
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "1.00:00:00")
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(probe)),
        };
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        probe.During = () =>
        {
            cache.Store("mark-dev", cache.Begin("mark-dev"), Payments, [1]);
            return cache.Find("mark-dev") is null;
        };

        await factory.CreateAndWaitAsync(Specs.Dev("mark-dev"));

        Assert.NotEmpty(probe.Outcomes);
        Assert.All(probe.Outcomes, refused => Assert.True(refused, "A read kept during a save of its environment."));
        await factory.GetEnvironmentAsync("mark-dev");
        Assert.NotNull(cache.Find("mark-dev")); // settled: cached again
    }

    /// <summary>Runs <see cref="During"/> as each command that writes an environment row executes (inside its save).</summary>
    private sealed class DuringEnvironmentWrite : DbCommandInterceptor
    {
        public Func<bool>? During { get; set; }

        public System.Collections.Concurrent.ConcurrentQueue<bool> Outcomes { get; } = new();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        private void Observe(DbCommand command)
        {
            if (During is { } during && (command.CommandText.Contains("INSERT INTO \"Environments\"", StringComparison.Ordinal) ||
                                         command.CommandText.Contains("UPDATE \"Environments\"", StringComparison.Ordinal)))
            {
                Outcomes.Enqueue(during());
            }
        }
    }

    [Fact]
    public async Task A_save_whose_end_is_never_heard_of_stops_bypassing_the_cache_after_the_duration()
    {
        var clock = new FakeTimeProvider();
        var cache = Cache(clock);
        var reads = 0;
        Task<EnvironmentReadCache.Entry?> Read(CancellationToken _) =>
            Task.FromResult<EnvironmentReadCache.Entry?>(new(Payments, [(byte)++reads], 0));

        cache.Changing("shop"); // a transaction disposed without commit or rollback reports neither
        await cache.GetAsync("shop", Read, Cancel);
        Assert.Null(cache.Find("shop"));

        clock.Advance(TimeSpan.FromSeconds(2));
        await cache.GetAsync("shop", Read, Cancel);
        Assert.Equal([2], cache.Find("shop")!.Json);
    }

    [Fact]
    public void A_zero_duration_turns_it_off_and_a_full_cache_starts_again()
    {
        var off = Cache(new FakeTimeProvider(), new PlatformReadCacheOptions { Duration = TimeSpan.Zero });
        off.Store("shop", off.Begin("shop"), Payments, [1]);
        Assert.False(off.Enabled);
        Assert.Null(off.Find("shop"));

        var small = Cache(new FakeTimeProvider(), new PlatformReadCacheOptions { MaxEntries = 2 });
        foreach (var name in new[] { "a", "b", "c" })
        {
            small.Store(name, small.Begin(name), Payments, [1]);
        }

        Assert.True(small.Count <= 2);
        Assert.NotNull(small.Find("c"));
    }

    [Fact]
    public async Task A_second_read_sends_the_same_bytes_without_a_query_and_no_secret()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("cached-dev"));
        var client = factory.CreateClient();

        using var first = await client.GetAsync("/v1/environments/cached-dev", Cancel);
        var firstBody = await first.Content.ReadAsStringAsync(Cancel);
        using var second = await client.GetAsync("/v1/environments/cached-dev", Cancel);
        var secondBody = await second.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("application/json; charset=utf-8", second.Content.Headers.ContentType!.ToString());
        Assert.Equal(firstBody, secondBody);
        Assert.DoesNotContain(Specs.Secret, secondBody, StringComparison.Ordinal);
        Assert.Equal(1, factory.Services.GetRequiredService<EnvironmentReadCache>().Count);
        var queries = QueriesPerRequest(factory, "/v1/environments/cached-dev");
        Assert.Equal([1, 0], queries);
    }

    [Fact]
    public async Task On_one_replica_every_write_is_seen_by_the_next_read()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "1.00:00:00");
        var created = await factory.CreateAndWaitAsync(Specs.Dev("ryw-dev"));
        var client = factory.CreateClient();
        Assert.Equal((string)created["id"]!, (string)(await factory.GetEnvironmentAsync("ryw-dev"))["lastOperation"]!["id"]!);

        // An update: the next read names its operation, and once it is done, the new image.
        using var updated = await client.PutAsync("/v1/environments/ryw-dev",
            new StringContent(Specs.Dev("ryw-dev", image: "registry.example.com/payments/api:2.0.0"), System.Text.Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, updated.StatusCode);
        var update = (string)(await PlatformFactory.ReadAsync(updated))["id"]!;
        Assert.Equal(update, (string)(await factory.GetEnvironmentAsync("ryw-dev"))["lastOperation"]!["id"]!);
        await factory.WaitForOperationAsync(update);
        var afterUpdate = await factory.GetEnvironmentAsync("ryw-dev");
        Assert.Equal("succeeded", (string)afterUpdate["lastOperation"]!["state"]!);
        Assert.Equal("registry.example.com/payments/api:2.0.0", (string)afterUpdate["spec"]!["spec"]!["services"]![0]!["image"]!);

        // An extension: the next read has the new expiry.
        using var extended = await client.PostAsJsonAsync("/v1/environments/ryw-dev/extend", new { ttl = "5d" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        var expiry = (string)(await PlatformFactory.ReadAsync(extended))["expiresAt"]!;
        Assert.NotEqual((string?)afterUpdate["expiresAt"], expiry);
        Assert.Equal(expiry, (string)(await factory.GetEnvironmentAsync("ryw-dev"))["expiresAt"]!);

        // A destroy: the next read names it, and once it is done, the environment is destroyed.
        using var destroyed = await client.DeleteAsync("/v1/environments/ryw-dev", Cancel);
        Assert.Equal(HttpStatusCode.Accepted, destroyed.StatusCode);
        var destroy = (string)(await PlatformFactory.ReadAsync(destroyed))["id"]!;
        Assert.Equal(destroy, (string)(await factory.GetEnvironmentAsync("ryw-dev"))["lastOperation"]!["id"]!);
        await factory.WaitForOperationAsync(destroy);
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("ryw-dev"))["status"]!);
    }

    [Fact]
    public async Task An_expired_environment_read_from_the_cache_shows_the_reapers_destroy()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "365.00:00:00");
        var created = await factory.CreateAndWaitAsync(Specs.Dev("reaped-dev", ttl: "2h"));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("reaped-dev"))["status"]!);

        clock.Advance(TimeSpan.FromHours(3));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        JsonObject environment;
        while ((string?)(environment = await factory.GetEnvironmentAsync("reaped-dev"))["lastOperation"]!["id"] == (string)created["id"]!)
        {
            Assert.True(DateTime.UtcNow < until, "The reaper's destroy never showed.");
            await Task.Delay(100, Cancel);
        }

        var destroy = await factory.WaitForOperationAsync((string)environment["lastOperation"]!["id"]!);
        Assert.Equal("reaper", (string)destroy["origin"]!);
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("reaped-dev"))["status"]!);
    }

    [Fact]
    public async Task Every_caller_is_authorized_against_a_cached_read_and_lists_are_kept_per_team()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "1.00:00:00");
        await factory.CreateAndWaitAsync(Specs.Dev("owned-dev"));
        var admin = factory.CreateClient();
        var own = factory.CreateClient(await factory.CreateKeyAsync("payments", "viewer"));
        var other = factory.CreateClient(await factory.CreateKeyAsync("search", "viewer"));

        using var byAdmin = await admin.GetAsync("/v1/environments/owned-dev", Cancel);
        using var byOwn = await own.GetAsync("/v1/environments/owned-dev", Cancel);
        using var byOther = await other.GetAsync("/v1/environments/owned-dev", Cancel);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byOwn.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byOther.StatusCode);
        Assert.Equal(0, QueriesPerRequest(factory, "/v1/environments/owned-dev")[2]);

        var adminList = (await admin.GetFromJsonAsync<JsonObject>("/v1/environments", Cancel))!;
        var otherList = (await other.GetFromJsonAsync<JsonObject>("/v1/environments", Cancel))!;
        var otherAsking = (await other.GetFromJsonAsync<JsonObject>("/v1/environments?team=payments", Cancel))!;
        Assert.Single(adminList["items"]!.AsArray());
        Assert.Empty(otherList["items"]!.AsArray());
        Assert.Empty(otherAsking["items"]!.AsArray());
    }

    [Fact]
    public async Task A_list_shows_an_environment_created_after_it_was_cached()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "1.00:00:00");
        await factory.CreateAndWaitAsync(Specs.Dev("list-a"));
        var client = factory.CreateClient();
        Assert.Single((await client.GetFromJsonAsync<JsonObject>("/v1/environments", Cancel))!["items"]!.AsArray());
        Assert.Single((await client.GetFromJsonAsync<JsonObject>("/v1/environments", Cancel))!["items"]!.AsArray());

        using var created = await factory.PostSpecAsync(Specs.Dev("list-b"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        var names = (await client.GetFromJsonAsync<JsonObject>("/v1/environments", Cancel))!["items"]!.AsArray().Select(i => (string)i!["name"]!);
        Assert.Equal(["list-a", "list-b"], names);
    }

    [Fact]
    public async Task A_write_on_one_replica_is_seen_on_another_once_its_notification_arrives()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        using var a = Replica(store, "replica-a", engine);
        using var b = Replica(store, "replica-b", engine, s => s["Platform:ReadCache:Duration"] = "1.00:00:00");
        await a.CreateAndWaitAsync(Specs.Dev("shared-dev"));
        var before = await b.GetEnvironmentAsync("shared-dev");
        await b.Services.GetRequiredService<OperationNotificationListener>().ListeningAsync();

        using var extended = await a.CreateClient().PostAsJsonAsync("/v1/environments/shared-dev/extend", new { ttl = "5d" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        var expiry = (string)(await PlatformFactory.ReadAsync(extended))["expiresAt"]!;
        Assert.NotEqual(expiry, (string?)before["expiresAt"]);

        // Only the notification can drop B's entry: it would otherwise be served for a day.
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((string?)(await b.GetEnvironmentAsync("shared-dev"))["expiresAt"] != expiry)
        {
            Assert.True(DateTime.UtcNow < until, "Replica B still serves the environment as it was before A's write.");
            await Task.Delay(50, Cancel);
        }

        // And the write's own replica saw it at once.
        Assert.Equal(expiry, (string)(await a.GetEnvironmentAsync("shared-dev"))["expiresAt"]!);
    }

    [Fact]
    public async Task Without_notifications_another_replica_serves_a_read_no_longer_than_the_duration()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        var clock = new FakeTimeProvider();
        using var a = Replica(store, "replica-a", engine);
        using var b = Replica(store, "replica-b", engine, s => s["Platform:Replicas:ListenNotify"] = "false", services =>
        {
            services.RemoveAll<EnvironmentReadCache>();
            services.AddSingleton(provider => new EnvironmentReadCache(clock, provider.GetRequiredService<IOptions<PlatformOptions>>()));
        });
        await a.CreateAndWaitAsync(Specs.Dev("bounded-dev"));
        var before = (string?)(await b.GetEnvironmentAsync("bounded-dev"))["expiresAt"];

        using var extended = await a.CreateClient().PostAsJsonAsync("/v1/environments/bounded-dev/extend", new { ttl = "5d" }, Cancel);
        var expiry = (string)(await PlatformFactory.ReadAsync(extended))["expiresAt"]!;
        Assert.NotEqual(expiry, before);

        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.Equal(before, (string?)(await b.GetEnvironmentAsync("bounded-dev"))["expiresAt"]);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(expiry, (string)(await b.GetEnvironmentAsync("bounded-dev"))["expiresAt"]!);
    }

    [Fact]
    public async Task Concurrent_misses_of_one_environment_share_one_read()
    {
        const int Callers = 8;
        var gate = new ReadGate();
        using var factory = Gated(gate);
        await factory.CreateAndWaitAsync(Specs.Dev("shared-read-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        cache.ChangedAll();
        var readsBefore = cache.Reads;

        gate.Arm(hold: 1);
        var requests = Enumerable.Range(0, Callers).Select(_ => client.GetAsync("/v1/environments/shared-read-dev", Cancel)).ToList();
        await Until(() => cache.Waiting == Callers && gate.Held == 1, "every caller waits on the one read in flight");
        gate.Release();
        var responses = await Task.WhenAll(requests);

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync(Cancel)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Equal(1, gate.Reads);
        Assert.Equal(readsBefore + 1, cache.Reads);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_misses_of_one_list_page_share_one_read()
    {
        const int Callers = 6;
        var gate = new ReadGate();
        using var factory = Gated(gate);
        await factory.CreateAndWaitAsync(Specs.Dev("shared-page-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        cache.ChangedAll();

        gate.Arm(hold: 1);
        var requests = Enumerable.Range(0, Callers).Select(_ => client.GetStringAsync("/v1/environments?limit=50", Cancel)).ToList();
        await Until(() => cache.Waiting == Callers && gate.Held == 1, "every caller waits on the one page read in flight");
        gate.Release();
        var bodies = await Task.WhenAll(requests);

        Assert.Single(bodies.Distinct());
        Assert.Contains("shared-page-dev", bodies[0], StringComparison.Ordinal);
        Assert.Equal(1, gate.Reads);
    }

    [Fact]
    public async Task A_failed_shared_read_is_not_handed_to_those_waiting_on_it()
    {
        const int Callers = 4;
        var gate = new ReadGate();
        using var factory = Gated(gate);
        await factory.CreateAndWaitAsync(Specs.Dev("failed-read-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        cache.ChangedAll();

        gate.Arm(hold: 1, failHeld: true);
        var requests = Enumerable.Range(0, Callers).Select(_ => client.GetAsync("/v1/environments/failed-read-dev", Cancel)).ToList();
        await Until(() => cache.Waiting == Callers && gate.Held == 1, "every caller waits on the read that will fail");
        gate.Release();
        var responses = await Task.WhenAll(requests);

        // The shared read failed; each caller then read for itself, and the failure was remembered nowhere.
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1 + Callers, gate.Reads);
        using var next = await client.GetAsync("/v1/environments/failed-read-dev", Cancel);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1 + Callers, gate.Reads);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_read_others_wait_on()
    {
        var gate = new ReadGate();
        using var factory = Gated(gate);
        await factory.CreateAndWaitAsync(Specs.Dev("given-up-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        cache.ChangedAll();

        gate.Arm(hold: 1);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var first = client.GetAsync("/v1/environments/given-up-dev", giveUp.Token);
        await Until(() => cache.Waiting == 1 && gate.Held == 1, "the first caller's read is in flight");
        var second = client.GetAsync("/v1/environments/given-up-dev", Cancel);
        await Until(() => cache.Waiting == 2, "the second caller waits on the same read");

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Until(() => cache.Waiting == 1, "the first caller stopped waiting");
        Assert.False(gate.HeldReadCancelled);
        gate.Release();

        using var answered = await second;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(1, gate.Reads);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_read_after_a_write_does_not_join_a_read_that_began_before_it()
    {
        var gate = new ReadGate();
        using var factory = Gated(gate);
        await factory.CreateAndWaitAsync(Specs.Dev("joined-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        var before = (string?)(await factory.GetEnvironmentAsync("joined-dev"))["expiresAt"];
        cache.ChangedAll();

        // The first read has run its query (its snapshot is from before the write) and is held before it answers.
        gate.Arm(hold: 1, afterQuery: true);
        var early = client.GetStringAsync("/v1/environments/joined-dev", Cancel);
        await Until(() => cache.Waiting == 1 && gate.Held == 1, "the early read is in flight");

        using var extended = await client.PostAsJsonAsync("/v1/environments/joined-dev/extend", new { ttl = "5d" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        var expiry = (string)(await PlatformFactory.ReadAsync(extended))["expiresAt"]!;
        Assert.NotEqual(before, expiry);

        // A read after the write answers it while the early read is still held: it read anew.
        Assert.Equal(expiry, (string?)(await factory.GetEnvironmentAsync("joined-dev"))["expiresAt"]);
        gate.Release();
        Assert.Equal(before, (string?)System.Text.Json.Nodes.JsonNode.Parse(await early)!["expiresAt"]);

        // What the early read found is not kept over the newer answer.
        Assert.Equal(expiry, (string?)(await factory.GetEnvironmentAsync("joined-dev"))["expiresAt"]);
    }

    [Fact]
    public async Task A_busy_entry_is_refreshed_before_it_expires_and_served_meanwhile()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var gate = new ReadGate();
        using var factory = Gated(gate, clock);
        // Returns once the worker has let go of the create: the wake-up of its last save, which drops the entry, was
        // delivered before this point, never between the reads counted below.
        await factory.CreateAndWaitAsync(Specs.Dev("refreshed-dev"));
        var cache = factory.Services.GetRequiredService<EnvironmentReadCache>();
        var client = factory.CreateClient();
        cache.ChangedAll();
        gate.Arm(hold: 0);

        var first = await client.GetStringAsync("/v1/environments/refreshed-dev", Cancel);
        Assert.Equal(1, gate.Reads);

        // Younger than the duration less RefreshAhead (2 s - 0.5 s): served, nothing read.
        clock.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.Equal(first, await client.GetStringAsync("/v1/environments/refreshed-dev", Cancel));
        Assert.Equal(1, gate.Reads);

        // Within RefreshAhead of its expiry: still served at once, while one read refreshes it in the background.
        gate.Arm(hold: 1);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(first, await client.GetStringAsync("/v1/environments/refreshed-dev", Cancel));
        await Until(() => gate.Held == 1, "the refresh's read has started");
        Assert.Equal(first, await client.GetStringAsync("/v1/environments/refreshed-dev", Cancel));
        Assert.Equal(0, cache.Waiting);
        gate.Release();
        await Until(() => cache.InFlight == 0, "the refresh is done");
        Assert.Equal(1 + 1, gate.Reads);

        // Past the first read's expiry the refreshed entry is served: no caller missed.
        clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(first, await client.GetStringAsync("/v1/environments/refreshed-dev", Cancel));
        Assert.Equal(2, gate.Reads);
    }

    private static EnvironmentReadCache Cache(TimeProvider time, PlatformReadCacheOptions? settings = null) =>
        new(time, Options.Create(new PlatformOptions { ReadCache = settings ?? new PlatformReadCacheOptions() }));

    private static PlatformFactory Replica(
        TestStore store, string id, IStackEngine engine, Action<Dictionary<string, string?>>? settings = null, Action<IServiceCollection>? services = null) =>
        new(store: store, configure: s =>
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

    private static PlatformFactory Gated(ReadGate gate, TimeProvider? time = null) =>
        new(time: time, engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = time is null ? "1.00:00:00" : "00:00:02")
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(gate)),
        };

    private static async Task Until(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting until {what}.");
            await Task.Delay(10, Cancel);
        }
    }

    /// <summary>
    /// Counts the environment reads (<c>GET /v1/environments[/{name}]</c>'s queries) once armed, and holds the first
    /// <c>hold</c> of them until released: before their query, or after it (its snapshot taken); a held read can be
    /// made to fail when released.
    /// </summary>
    private sealed class ReadGate : DbCommandInterceptor
    {
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _armed;
        private int _hold;
        private bool _fail;
        private bool _afterQuery;
        private int _reads;
        private int _held;

        public int Reads => Volatile.Read(ref _reads);

        public int Held => Volatile.Read(ref _held);

        public bool HeldReadCancelled { get; private set; }

        public void Arm(int hold, bool failHeld = false, bool afterQuery = false)
        {
            (_hold, _fail, _afterQuery, _held) = (hold, failHeld, afterQuery, 0);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _armed = true;
        }

        public void Release() => _release.TrySetResult();

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (IsRead(command))
            {
                Interlocked.Increment(ref _reads);
                if (!_afterQuery)
                {
                    await HoldAsync(cancellationToken);
                }
            }

            return result;
        }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (_afterQuery && IsRead(command))
            {
                await HoldAsync(cancellationToken);
            }

            return result;
        }

        private async Task HoldAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _held) > _hold)
            {
                return;
            }

            await Task.WhenAny(_release.Task, Task.Delay(TimeSpan.FromMinutes(1), CancellationToken.None));
            HeldReadCancelled |= cancellationToken.IsCancellationRequested;
            if (_fail)
            {
                throw new InvalidOperationException("The test failed this read.");
            }
        }

        // The reads of the read paths: the environment by name (its last operation joined) and list pages; not the
        // entity loads of writes, the worker and the reaper (every column, the spec text among them).
        private bool IsRead(DbCommand command)
        {
            var text = command.CommandText;
            return _armed && text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) &&
                   text.Contains("FROM \"Environments\"", StringComparison.Ordinal) && !text.Contains("\"SpecText\"", StringComparison.Ordinal) &&
                   (text.Contains("LEFT JOIN \"Operations\"", StringComparison.Ordinal) || text.Contains("\"LastOperationId\"", StringComparison.Ordinal));
        }
    }

    /// <summary>Per request to <paramref name="path"/>, in order, how many SQL commands on environments it ran (not the key's).</summary>
    private static List<int> QueriesPerRequest(PlatformFactory factory, string path)
    {
        var requests = factory.Logs.Records
            .Where(r => r.Scopes.TryGetValue("RequestPath", out var requestPath) && Equals(requestPath, path) && r.Scopes.ContainsKey("RequestId"))
            .GroupBy(r => r.Scopes["RequestId"])
            .ToList();
        return [.. requests.Select(g => g.Count(r => r.Category == "Microsoft.EntityFrameworkCore.Database.Command" &&
                                                      r.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal) &&
                                                      r.Message.Contains("\"Environments\"", StringComparison.Ordinal)))];
    }
}
