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

        var future = OperationNotification.Parse("work something-new events:op_c");
        Assert.True(future.Work);
        Assert.Equal(new[] { "op_c" }, future.EventsOf);
    }
}
