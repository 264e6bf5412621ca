using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Operations;
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
