using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Operations;

/// <summary>
/// Issue 14: an operation's engine events are stored in batches — whatever the engine reports while the previous write
/// waits for the database goes into the next commit — in order, every one before the outcome, and the API's event
/// reads see them all.
/// </summary>
public sealed class OperationEventBatchingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_reported_while_the_database_is_busy_are_stored_in_one_commit_in_order_before_the_outcome()
    {
        var saves = new EventSaves();
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var factory = new PlatformFactory(engine: engine)
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(saves)),
        };
        using var created = await factory.PostSpecAsync(Specs.Dev("chatty-dev"));
        var id = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        await engine.WaitForStepAsync(id);
        await WaitUntilAsync(() => saves.EngineEvents(id) == 1, "the first step was never stored");

        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using (var holder = await contexts.CreateDbContextAsync(Cancel))
        {
            await using var busy = await holder.BeginWriteTransactionAsync(Cancel);

            // The engine reports the rest of its run while nothing can be written.
            engine.Script(EngineCommand.Up, EngineScript.Succeed);
            engine.Release("chatty-dev");
            var workspace = engine.OpenWorkspace("chatty-dev", null);
            await WaitUntilAsync(async () => (await engine.ReadOutputsAsync(workspace, Cancel)).Json?.Contains("url", StringComparison.Ordinal) == true,
                "the engine never finished its run");
            await busy.CommitAsync(Cancel);
        }

        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(id))["state"]!);

        // Stored in order, numbered without gaps, the outcome last; far fewer commits than events.
        var events = await Engine.EngineFailureTests.EventsAsync(factory, id);
        Assert.Equal(Enumerable.Range(1, events.Count), events.Select(e => (int)e["sequence"]!));
        var engineEvents = events.Where(e => (string)e["type"]! != "state").ToList();
        Assert.True(engineEvents.Count >= 6, $"expected a run with several engine events: {string.Join(", ", events.Select(e => e["type"]))}");
        Assert.Equal("summary", (string)engineEvents[^1]["type"]!);
        Assert.Equal("succeeded", (string)events[^1]["detail"]!);
        Assert.True(events.FindIndex(e => (string)e["type"]! == "summary") < events.Count - 1);
        Assert.True(saves.EngineEventCommits(id) <= 3, $"{engineEvents.Count} engine events took {saves.EngineEventCommits(id)} commits");
        Assert.Equal(engineEvents.Count, saves.EngineEvents(id));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure) => await WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20, Cancel);
        }
    }

    /// <summary>Per operation: the engine events (not <c>state</c>) saved, and the saves that stored any.</summary>
    private sealed class EventSaves : SaveChangesInterceptor
    {
        private readonly ConcurrentDictionary<DbContext, (string Operation, int Count)[]> _saving = new();
        private readonly ConcurrentDictionary<string, (int Events, int Commits)> _stored = new(StringComparer.Ordinal);

        public int EngineEvents(string operationId) => _stored.TryGetValue(operationId, out var stored) ? stored.Events : 0;

        public int EngineEventCommits(string operationId) => _stored.TryGetValue(operationId, out var stored) ? stored.Commits : 0;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var context = eventData.Context!;
            var added = context.ChangeTracker.Entries<OperationEvent>()
                .Where(e => e.State == EntityState.Added && e.Entity.Type != "state")
                .GroupBy(e => e.Entity.OperationId)
                .Select(g => (g.Key, g.Count()))
                .ToArray();
            if (added.Length > 0)
            {
                _saving[context] = added;
            }

            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (_saving.TryRemove(eventData.Context!, out var saved))
            {
                foreach (var (operation, count) in saved)
                {
                    _stored.AddOrUpdate(operation, (count, 1), (_, stored) => (stored.Events + count, stored.Commits + 1));
                }
            }

            return ValueTask.FromResult(result);
        }

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            _saving.TryRemove(eventData.Context!, out _);
            return Task.CompletedTask;
        }
    }
}
