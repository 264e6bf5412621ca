using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// Issue 14: on SQLite, accepted creates that arrive while the database's writer is busy are committed together, one
/// transaction for the group, each request keeping its own outcome. Each test holds the write gate with a write
/// transaction, sends its creates one after another (each queued before the next is sent, so the order is the test's),
/// then lets the group commit.
/// </summary>
public sealed class SqliteGroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_creates_commit_in_one_transaction_and_a_conflicting_one_alone_gets_409()
    {
        var saves = new SaveWatcher();
        using var factory = new PlatformFactory(configure: KeyUseRecordedOnce, engine: new InMemoryStackEngine())
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(saves, saves.Transactions)),
        };
        var client = await WarmClientAsync(factory);
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var holder = await contexts.CreateDbContextAsync(Cancel);
        var group = SqliteGroupCommit.For(holder.Database.GetConnectionString()!);

        Task<HttpResponseMessage> first, second, conflicting;
        await using (var busy = await holder.BeginWriteTransactionAsync(Cancel))
        {
            first = await QueueAsync(client, group, "grouped-a", waiting: 1);
            second = await QueueAsync(client, group, "grouped-b", waiting: 2);
            conflicting = await QueueAsync(client, group, "grouped-a", waiting: 3); // checked its name before the first committed
            await busy.CommitAsync(Cancel);
        }

        using var a = await first;
        using var b = await second;
        using var c = await conflicting;
        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, c.StatusCode);
        Assert.Equal("Environment name taken", (string)(await PlatformFactory.ReadAsync(c))["title"]!);
        var opA = (string)(await PlatformFactory.ReadAsync(a))["id"]!;
        var opB = (string)(await PlatformFactory.ReadAsync(b))["id"]!;

        // One transaction, committed, saved both accepted creates; the conflicting one's save failed inside it.
        var transaction = saves.TransactionOf(opA);
        Assert.NotNull(transaction);
        Assert.Equal(transaction, saves.TransactionOf(opB));
        Assert.Contains(transaction.Value, saves.Committed);
        Assert.Equal(1, saves.FailedSaves);

        // Nothing lost, nothing half-stored: each accepted create's rows are all there, the refused one left none.
        await using var db = await contexts.CreateDbContextAsync(Cancel);
        foreach (var (name, op) in new[] { ("grouped-a", opA), ("grouped-b", opB) })
        {
            var environment = await db.Environments.AsNoTracking().SingleAsync(e => e.Name == name, Cancel);
            var operation = await db.Operations.AsNoTracking().SingleAsync(o => o.EnvironmentName == name, Cancel);
            Assert.Equal(op, operation.Id);
            Assert.Equal(environment.Id, operation.EnvironmentId);
            Assert.True(await db.Events.AnyAsync(e => e.OperationId == op && e.Sequence == 1 && e.Detail == "queued", Cancel));
            Assert.Equal("202", (await db.AuditLog.AsNoTracking().SingleAsync(e => e.OperationId == op && e.Action == "environment.create", Cancel)).Result);
        }

        var refused = await db.AuditLog.AsNoTracking().Where(e => e.Action == "environment.create" && e.Result == "409").ToListAsync(Cancel);
        Assert.Null(Assert.Single(refused).OperationId);
        Assert.Equal(2, await db.Operations.CountAsync(Cancel));
    }

    [Fact]
    public async Task A_retry_grouped_with_its_original_gets_the_original_operation()
    {
        using var factory = new PlatformFactory(configure: KeyUseRecordedOnce, engine: new InMemoryStackEngine());
        var client = await WarmClientAsync(factory);
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var holder = await contexts.CreateDbContextAsync(Cancel);
        var group = SqliteGroupCommit.For(holder.Database.GetConnectionString()!);

        Task<HttpResponseMessage> original, retry;
        await using (var busy = await holder.BeginWriteTransactionAsync(Cancel))
        {
            original = await QueueAsync(client, group, "keyed-dev", waiting: 1, key: "grouped-retry");
            retry = await QueueAsync(client, group, "keyed-dev", waiting: 2, key: "grouped-retry");
            await busy.CommitAsync(Cancel);
        }

        using var first = await original;
        using var second = await retry;
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal((string)(await PlatformFactory.ReadAsync(first))["id"]!, (string)(await PlatformFactory.ReadAsync(second))["id"]!);
        await using var db = await contexts.CreateDbContextAsync(Cancel);
        Assert.Equal(1, await db.Operations.CountAsync(Cancel));
        Assert.Equal(1, await db.IdempotencyKeys.CountAsync(Cancel));
    }

    [Fact]
    public async Task Saves_that_change_rows_do_not_join_a_group()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        _ = factory.CreateClient();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Cancel);
        var group = SqliteGroupCommit.For(db.Database.GetConnectionString()!);
        db.IdempotencyKeys.Add(new IdempotencyRecord { Key = "joins", RequestHash = "h", OperationId = "op_1", CreatedAt = DateTimeOffset.UnixEpoch });
        Assert.True(SqliteGroupCommit.CanJoin(db));
        var groups = group.Groups;
        await db.SaveChangesAsync(Cancel);
        Assert.True(group.Groups > groups);

        var saved = await db.IdempotencyKeys.SingleAsync(k => k.Key == "joins", Cancel);
        Assert.Equal(EntityState.Unchanged, db.Entry(saved).State); // given back as a save leaves it
        saved.ResponseJson = "{}";
        Assert.False(SqliteGroupCommit.CanJoin(db)); // it takes the write gate on its own, as before
        await db.SaveChangesAsync(Cancel);
        db.ChangeTracker.Clear();
        Assert.Equal("{}", (await db.IdempotencyKeys.AsNoTracking().SingleAsync(k => k.Key == "joins", Cancel)).ResponseJson);
    }

    // The key's last use is written (outside any group) on its first request only: before the test holds the writer.
    private static void KeyUseRecordedOnce(Dictionary<string, string?> settings) => settings["Platform:Auth:LastUsedResolution"] = "1.00:00:00";

    private static async Task<HttpClient> WarmClientAsync(PlatformFactory factory)
    {
        var client = factory.CreateClient();
        using var warm = await client.GetAsync("/v1/golden-paths", Cancel);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        return client;
    }

    /// <summary>Sends a create and returns once it waits in the group (the group then holds <paramref name="waiting"/> units).</summary>
    private static async Task<Task<HttpResponseMessage>> QueueAsync(HttpClient client, SqliteGroupCommit group, string name, int waiting, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments")
        {
            Content = new StringContent(Specs.Dev(name), System.Text.Encoding.UTF8, "application/yaml"),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        var sent = client.SendAsync(request, Cancel);
        var deadline = DateTime.UtcNow + Patience;
        while (group.Waiting < waiting)
        {
            Assert.False(sent.IsCompleted, $"the create of {name} answered before it was committed: {(sent.IsCompletedSuccessfully ? sent.Result.StatusCode : sent.Status)}");
            Assert.True(DateTime.UtcNow < deadline, $"the create of {name} never queued for the group");
            await Task.Delay(20, Cancel);
        }

        return sent;
    }

    /// <summary>Which transaction saved each added operation, which transactions committed, and how many saves failed.</summary>
    private sealed class SaveWatcher : SaveChangesInterceptor
    {
        private readonly ConcurrentDictionary<string, Guid> _savedIn = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<DbContext, (Guid Transaction, string[] Operations)> _saving = new();
        private int _failed;

        public ConcurrentBag<Guid> Committed { get; } = [];

        public int FailedSaves => Volatile.Read(ref _failed);

        public TransactionWatcher Transactions => field ??= new TransactionWatcher(this);

        public Guid? TransactionOf(string operationId) => _savedIn.TryGetValue(operationId, out var transaction) ? transaction : null;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var context = eventData.Context!;
            var added = context.ChangeTracker.Entries<StackOperation>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.Id).ToArray();
            if (added.Length > 0)
            {
                _saving[context] = (context.Database.CurrentTransaction?.TransactionId ?? Guid.Empty, added);
            }

            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (_saving.TryRemove(eventData.Context!, out var saved))
            {
                foreach (var operation in saved.Operations)
                {
                    _savedIn[operation] = saved.Transaction;
                }
            }

            return ValueTask.FromResult(result);
        }

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            if (_saving.TryRemove(eventData.Context!, out _))
            {
                Interlocked.Increment(ref _failed);
            }

            return Task.CompletedTask;
        }

        public sealed class TransactionWatcher(SaveWatcher owner) : DbTransactionInterceptor
        {
            public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
            {
                owner.Committed.Add(eventData.TransactionId);
                return Task.CompletedTask;
            }
        }
    }
}
