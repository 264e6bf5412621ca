using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// Issue 14: on SQLite, writers of the service queue for the database in the process (no thread sleeps on a busy
/// database), and commits do not wait for a disk sync each (WAL with synchronous=NORMAL).
/// </summary>
public sealed class SqliteWritesTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_connection_is_in_WAL_mode_with_synchronous_NORMAL()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        _ = factory.CreateClient();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.OpenConnectionAsync(Cancel);
        await using var command = db.Database.GetDbConnection().CreateCommand();

        command.CommandText = "PRAGMA synchronous;";
        var synchronous = await command.ExecuteScalarAsync(Cancel);
        command.CommandText = "PRAGMA journal_mode;";
        var journal = await command.ExecuteScalarAsync(Cancel);

        Assert.Equal(1L, synchronous); // NORMAL (FULL is 2)
        Assert.Equal("wal", journal);
    }

    [Fact]
    public async Task Concurrent_saves_to_one_SQLite_file_run_one_at_a_time()
    {
        var watcher = new OverlapWatcher();
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine())
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(watcher)),
        };
        _ = factory.CreateClient();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        watcher.Armed = true;

        var saves = Enumerable.Range(0, 4).Select(async i =>
        {
            await using var db = await contexts.CreateDbContextAsync(Cancel);
            db.IdempotencyKeys.Add(new IdempotencyRecord { Key = $"overlap-{i}", RequestHash = "h", OperationId = $"op_{i}", CreatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync(Cancel);
        });
        await Task.WhenAll(saves);

        Assert.True(watcher.Saves >= 4);
        Assert.Equal(1, watcher.MostAtOnce);
    }

    // Holds each save open until a second save is inside too (or a second passes), so saves that could overlap do.
    private sealed class OverlapWatcher : SaveChangesInterceptor
    {
        private readonly TaskCompletionSource _overlapped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inside;
        private int _most;
        private int _saves;

        public bool Armed { get; set; }

        public int MostAtOnce => Volatile.Read(ref _most);

        public int Saves => Volatile.Read(ref _saves);

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                var inside = Interlocked.Increment(ref _inside);
                int most;
                while ((most = Volatile.Read(ref _most)) < inside && Interlocked.CompareExchange(ref _most, inside, most) != most)
                {
                }

                if (inside > 1)
                {
                    _overlapped.TrySetResult();
                }

                await Task.WhenAny(_overlapped.Task, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
                Interlocked.Decrement(ref _inside);
                Interlocked.Increment(ref _saves);
            }

            return result;
        }
    }
}
