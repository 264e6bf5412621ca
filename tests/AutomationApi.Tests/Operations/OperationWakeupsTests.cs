using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Tests.Operations;

public sealed class OperationWakeupsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWatchTakenBeforeAnEventIsStored_WakesAtOnce_NotAtItsFallbackPoll()
    {
        using var work = new OperationSignal();
        var wakeups = new OperationWakeups(work);
        using var watch = wakeups.Watch("op_1");
        using var other = wakeups.Watch("op_2");

        wakeups.EventsStored("op_1");
        await watch.WaitAsync(TimeSpan.FromHours(1), Cancel).WaitAsync(TimeSpan.FromMinutes(1), Cancel);

        // Another operation's watch stays asleep until its fallback.
        var started = DateTime.UtcNow;
        await other.WaitAsync(TimeSpan.FromMilliseconds(200), Cancel);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task AWakeUpFromTheDatabase_WakesTheNamedWatchesAndTheWorker_AndEventsStarWakesEveryone()
    {
        using var work = new OperationSignal();
        var wakeups = new OperationWakeups(work);
        using (var watch = wakeups.Watch("op_1"))
        {
            wakeups.Apply(OperationNotification.Parse("work events:op_1"));
            await watch.WaitAsync(TimeSpan.FromHours(1), Cancel).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
            await work.WaitAsync(TimeSpan.FromHours(1), Cancel).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        }

        // A notification naming an environment drops this replica's cached reads of it.
        var cache = new Platform.AutomationApi.Apis.EnvironmentReadCache(TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new PlatformOptions()));
        var caching = new OperationWakeups(work, cache);
        cache.Store("shop", cache.Begin("shop"), new Platform.AutomationApi.Auth.EnvironmentScope("payments", Platform.Components.Specs.Tier.Dev), [1]);
        caching.Apply(OperationNotification.Parse("env:shop"));
        Assert.Null(cache.Find("shop"));

        using var any = wakeups.Watch("op_9");
        wakeups.Apply(OperationNotification.Parse("events:*"));
        await any.WaitAsync(TimeSpan.FromHours(1), Cancel).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
    }

    [Fact]
    public void Payloads_RoundTrip_FitPostgresLimit_AndIgnoreUnknownTokens()
    {
        var one = OperationNotification.Parse(new OperationNotification(true, ["op_a", "op_b"]).Format());
        Assert.True(one.Work);
        Assert.Equal(new[] { "op_a", "op_b" }, one.EventsOf);
        Assert.False(one.AllEvents);

        // PostgreSQL refuses payloads of 8000 bytes or more: too many operations to name wakes every stream instead.
        var many = new OperationNotification(false, [.. Enumerable.Range(0, 500).Select(i => $"op_{Guid.NewGuid():N}")]).Format();
        Assert.True(many.Length < 8000);
        Assert.True(OperationNotification.Parse(many).AllEvents);

        // Environments that changed travel too (for replicas' read caches); too many to name drops every cached read.
        var changed = OperationNotification.Parse(new OperationNotification(false, ["op_a"], Environments: ["shop", "blog"]).Format());
        Assert.Equal(new[] { "shop", "blog" }, changed.Environments);
        Assert.False(changed.AllEnvironments);
        var everything = new OperationNotification(false, [.. Enumerable.Range(0, 500).Select(i => $"op_{Guid.NewGuid():N}")],
            Environments: [.. Enumerable.Range(0, 500).Select(i => $"environment-name-{i:000}-{Guid.NewGuid():N}")]).Format();
        Assert.True(everything.Length < 8000);
        Assert.True(OperationNotification.Parse(everything).AllEnvironments);

        var future = OperationNotification.Parse("work something-new events:op_c");
        Assert.True(future.Work);
        Assert.Equal(new[] { "op_c" }, future.EventsOf);
    }
}
