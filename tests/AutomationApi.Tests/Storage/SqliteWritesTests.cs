using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// Issue 14: on SQLite, writers of the service — saves and write transactions alike — queue for the database in the
/// process (no thread sleeps on a busy database), and commits do not wait for a disk sync each (WAL with synchronous=NORMAL).
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

    [Fact]
    public async Task A_save_waits_in_the_process_for_a_write_transaction_of_the_same_file_to_end()
    {
        var entered = new SaveEntered();
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine())
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(entered)),
        };
        _ = factory.CreateClient();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var holder = await contexts.CreateDbContextAsync(Cancel);
        await using var other = await contexts.CreateDbContextAsync(Cancel);

        Task save;
        await using (var transaction = await holder.BeginWriteTransactionAsync(Cancel))
        {
            holder.IdempotencyKeys.Add(new IdempotencyRecord { Key = "in-transaction", RequestHash = "h", OperationId = "op_t", CreatedAt = DateTimeOffset.UnixEpoch });
            await holder.SaveChangesAsync(Cancel);
            entered.Armed = true;
            other.IdempotencyKeys.Add(new IdempotencyRecord { Key = "beside-it", RequestHash = "h", OperationId = "op_b", CreatedAt = DateTimeOffset.UnixEpoch });
            save = other.SaveChangesAsync(Cancel);

            // Had it not queued in the process, it would be inside EF Core's save (and then in SQLite's busy sleeps) by now.
            await Task.WhenAny(save, Task.Delay(TimeSpan.FromMilliseconds(300), Cancel));
            Assert.False(entered.Entered);
            await transaction.CommitAsync(Cancel);
        }

        await save;
        Assert.True(entered.Entered);
        Assert.Equal(2, await other.IdempotencyKeys.CountAsync(k => k.Key == "in-transaction" || k.Key == "beside-it", Cancel));
    }

    private sealed class SaveEntered : SaveChangesInterceptor
    {
        private int _entered;

        public bool Armed { get; set; }

        public bool Entered => Volatile.Read(ref _entered) == 1;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                Volatile.Write(ref _entered, 1);
            }

            return ValueTask.FromResult(result);
        }
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
