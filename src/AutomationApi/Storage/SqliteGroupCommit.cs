using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// Group commit for one SQLite file (issue 14): saves that only add rows (an accepted create's environment, operation,
/// event, idempotency key and audit entry; an engine event; an audit entry) and arrive while another writer holds the
/// file queue here, and the first of them, once it has the file's write gate, saves every queued unit of work in one
/// transaction: one commit for the group instead of one each.
/// </summary>
/// <remarks>
/// <para>
/// Each unit keeps its own outcome. The leader saves the units one after another in its own context, each in a
/// savepoint of the group's transaction (EF Core's automatic savepoints): a unit whose insert fails (a live name
/// already taken, by an earlier unit of the same group too; an idempotency key claimed; a trigger) is rolled back to
/// its savepoint and gets its exception, exactly as its own save would have thrown it, while the others go on. Every
/// unit learns its outcome only after the group's commit (a unit that lost a race to another of the group then finds
/// the winner committed); if the commit itself fails, every unit that had saved gets that failure. The units'
/// wake-ups and notifications follow the group's commit (<see cref="Operations.OperationWakeupInterceptor"/>).
/// </para>
/// <para>
/// A unit's rows move from its context into the leader's for its save and back afterwards: tracked as saved
/// (unchanged, database-generated keys set) after a commit, still added after a failure, as its own save would have
/// left them. Saves that change or delete rows (version checks, conditional updates) and saves inside an explicit
/// transaction do not join: they take the write gate as before. Nothing waits on the clock: a group is whatever
/// queued while the gate was held, at most <see cref="MaxUnits"/>.
/// </para>
/// </remarks>
internal sealed class SqliteGroupCommit
{
    /// <summary>The most units saved in one transaction.</summary>
    public const int MaxUnits = 64;

    private static readonly ConcurrentDictionary<string, SqliteGroupCommit> Files = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly Queue<Unit> _queue = new();
    private bool _leading;
    private long _groups;

    /// <summary>The group commit of the SQLite database <paramref name="connectionString"/> in this process.</summary>
    public static SqliteGroupCommit For(string connectionString) => Files.GetOrAdd(connectionString, _ => new SqliteGroupCommit());

    /// <summary>Units waiting for their group (for tests: wait until requests are queued).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Groups committed or failed so far.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>
    /// Whether <paramref name="db"/>'s unit of work can join a group: it adds rows and changes or deletes none (rows it
    /// merely read stay where they are).
    /// </summary>
    public static bool CanJoin(DbContext db)
    {
        var adds = false;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            switch (entry.State)
            {
                case EntityState.Added when !entry.Metadata.IsOwned():
                    adds = true;
                    break;
                case EntityState.Unchanged or EntityState.Detached:
                    break;
                default:
                    return false;
            }
        }

        return adds;
    }

    /// <summary>
    /// Saves <paramref name="db"/>'s additions with the group it joins; returns the rows written, or throws what its
    /// own save would have thrown. Its staging (versions, audit entries) is done by the caller, before it joins.
    /// </summary>
    public async Task<int> SaveAsync(PlatformDbContext db)
    {
        var unit = new Unit(db);
        bool lead;
        lock (_lock)
        {
            _queue.Enqueue(unit);
            lead = !_leading;
            _leading = true;
        }

        if (lead || await unit.Turn.Task)
        {
            await LeadAsync(unit);
        }

        return unit.Outcome();
    }

    /// <summary>Saves the group <paramref name="host"/> heads (it is first in the queue) in host's context, then hands over.</summary>
    private async Task LeadAsync(Unit host)
    {
        List<Unit> group = [];
        try
        {
            // Waiting for the gate is where the group gathers: everything queued meanwhile joins it.
            await using var transaction = await host.Db.BeginWriteTransactionAsync(CancellationToken.None);
            lock (_lock)
            {
                while (group.Count < MaxUnits && _queue.TryDequeue(out var unit))
                {
                    group.Add(unit);
                }
            }

            foreach (var unit in group)
            {
                unit.Detach();
            }

            foreach (var unit in group)
            {
                await unit.SaveInAsync(host.Db);
            }

            try
            {
                await transaction.CommitAsync(CancellationToken.None);
            }
#pragma warning disable CA1031 // Every unit that had saved gets the commit's failure, whatever it is.
            catch (Exception failed)
#pragma warning restore CA1031
            {
                group.ForEach(unit => unit.CommitFailed(failed));
            }
        }
#pragma warning disable CA1031 // The gate or the transaction could not be had: the group fails with that, and the next leads.
        catch (Exception failed)
#pragma warning restore CA1031
        {
            if (group.Count == 0)
            {
                lock (_lock)
                {
                    group.Add(_queue.Dequeue()); // the host: it fails alone, the others try again under the next leader
                }
            }

            group.ForEach(unit => unit.CommitFailed(failed));
        }

        Interlocked.Increment(ref _groups);
        foreach (var unit in group)
        {
            unit.Return();
        }

        Unit? next = null;
        lock (_lock)
        {
            if (!_queue.TryPeek(out next))
            {
                _leading = false;
            }
        }

        foreach (var unit in group)
        {
            if (!ReferenceEquals(unit, host))
            {
                unit.Turn.TrySetResult(false);
            }
        }

        next?.Turn.TrySetResult(true);
    }

    /// <summary>One save's unit of work: its context, its added rows while the group saves them, and its outcome.</summary>
    private sealed class Unit(PlatformDbContext db)
    {
        private List<object> _rows = [];
        private int _saved;
        private Exception? _error;

        public PlatformDbContext Db { get; } = db;

        /// <summary>Completes with <see langword="true"/> when the unit is to lead the next group, <see langword="false"/> when its group is done.</summary>
        public TaskCompletionSource<bool> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Takes the added rows out of the unit's own context (the leader's context saves them).</summary>
        public void Detach()
        {
            _rows = [.. Db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];
            foreach (var row in _rows)
            {
                Db.Entry(row).State = EntityState.Detached;
            }
        }

        /// <summary>Saves the rows in <paramref name="host"/>, in a savepoint of its transaction, and takes them out again.</summary>
        public async Task SaveInAsync(PlatformDbContext host)
        {
            foreach (var row in _rows)
            {
                host.Entry(row).State = EntityState.Added;
            }

            try
            {
                _saved = await host.SaveGroupedAsync();
            }
#pragma warning disable CA1031 // The unit's own failure is its outcome, thrown to its caller once the group is done.
            catch (Exception failed)
#pragma warning restore CA1031
            {
                _error = failed;
            }
            finally
            {
                foreach (var row in _rows)
                {
                    host.Entry(row).State = EntityState.Detached;
                }
            }
        }

        public void CommitFailed(Exception failed) => _error ??= failed;

        /// <summary>Gives the rows back to the unit's context as its own save would have left them.</summary>
        public void Return()
        {
            foreach (var row in _rows)
            {
                Db.Entry(row).State = _error is null ? EntityState.Unchanged : EntityState.Added;
            }
        }

        public int Outcome() => _error is null ? _saved : throw Rethrown(_error);

        private static Exception Rethrown(Exception error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            return error; // not reached
        }
    }
}
