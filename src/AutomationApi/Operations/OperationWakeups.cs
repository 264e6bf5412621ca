using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Wakes what waits on stored operations, in this process: an operation's event streams when an event of it is
/// stored, and the <see cref="OperationWorker"/> when work may have become eligible (an operation queued, finished or
/// let go). Stores call it through <see cref="OperationWakeupInterceptor"/> once their changes are committed; on
/// PostgreSQL the same wake-ups reach other replicas through <c>LISTEN/NOTIFY</c>
/// (<see cref="OperationNotificationListener"/>). Waiters keep a fallback poll, so a lost wake-up only adds latency.
/// The same saves drop what the environment read cache holds of the environments they changed.
/// </summary>
public sealed class OperationWakeups(OperationSignal work, Apis.EnvironmentReadCache? reads = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Waiters> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts watching <paramref name="operationId"/>'s events. Take the watch before reading the store: an event
    /// stored after that read still wakes it.
    /// </summary>
    public OperationWatch Watch(string operationId)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        lock (_gate)
        {
            if (!_waiting.TryGetValue(operationId, out var waiters))
            {
                _waiting[operationId] = waiters = new Waiters();
            }

            waiters.Count++;
            return new OperationWatch(this, operationId, waiters);
        }
    }

    /// <summary>Events of <paramref name="operationId"/> were stored: its watchers wake.</summary>
    public void EventsStored(string operationId)
    {
        Waiters? woken;
        lock (_gate)
        {
            _waiting.Remove(operationId, out woken);
        }

        woken?.Woken.TrySetResult();
    }

    /// <summary>Work may have become eligible (queued, finished, let go): the worker makes a pass.</summary>
    public void WorkChanged() => work.Notify();

    /// <summary>An environment or one of its operations changed (committed): cached reads of it are dropped.</summary>
    public void EnvironmentChanged(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        reads?.Changed(name);
    }

    /// <summary>A save in this process is about to change an environment: its reads bypass the cache until it settles.</summary>
    public void EnvironmentChanging(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        reads?.Changing(name);
    }

    /// <summary>A save announced by <see cref="EnvironmentChanging"/> committed, failed or was rolled back.</summary>
    public void EnvironmentSettled(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        reads?.Settled(name);
    }

    /// <summary>Wakes every watcher and the worker: wake-ups may have been missed (the listener reconnected).</summary>
    public void WakeAll()
    {
        reads?.ChangedAll();
        List<Waiters> woken;
        lock (_gate)
        {
            woken = [.. _waiting.Values];
            _waiting.Clear();
        }

        foreach (var waiters in woken)
        {
            waiters.Woken.TrySetResult();
        }

        work.Notify();
    }

    /// <summary>Applies a wake-up received from the database (<see cref="OperationNotification.Parse"/>).</summary>
    public void Apply(OperationNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.AllEvents)
        {
            WakeAll();
            return;
        }

        foreach (var operationId in notification.EventsOf)
        {
            EventsStored(operationId);
        }

        if (notification.AllEnvironments)
        {
            reads?.ChangedAll();
        }
        else
        {
            foreach (var name in notification.Environments ?? [])
            {
                EnvironmentChanged(name);
            }
        }

        if (notification.Work)
        {
            WorkChanged();
        }
    }

    private void Forget(string operationId, Waiters waiters)
    {
        lock (_gate)
        {
            waiters.Count--;
            if (waiters.Count == 0 && _waiting.TryGetValue(operationId, out var current) && ReferenceEquals(current, waiters))
            {
                _waiting.Remove(operationId);
            }
        }
    }

    /// <summary>The watchers of one operation, woken together.</summary>
    internal sealed class Waiters
    {
        public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }

    /// <summary>One watch of an operation's events (<see cref="Watch"/>); dispose it when done.</summary>
    public sealed class OperationWatch : IDisposable
    {
        private readonly OperationWakeups _owner;
        private readonly string _operationId;
        private readonly Waiters _waiters;
        private bool _disposed;

        internal OperationWatch(OperationWakeups owner, string operationId, Waiters waiters)
        {
            _owner = owner;
            _operationId = operationId;
            _waiters = waiters;
        }

        /// <summary>Waits until an event of the operation is stored, or <paramref name="fallback"/> has passed.</summary>
        public async Task WaitAsync(TimeSpan fallback, CancellationToken cancellationToken)
        {
            try
            {
                await _waiters.Woken.Task.WaitAsync(fallback, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The fallback poll: look anyway.
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _owner.Forget(_operationId, _waiters);
            }
        }
    }
}

/// <summary>
/// A wake-up as it travels on the PostgreSQL channel <see cref="Channel"/>: the operations whose events were stored,
/// whether work may have become eligible, and the environments that changed. The payload is space-separated tokens
/// (<c>work</c>, <c>events:&lt;id&gt;</c>, <c>events:*</c>, <c>env:&lt;name&gt;</c>, <c>env:*</c>), within
/// PostgreSQL's 8000-byte payload limit.
/// </summary>
/// <param name="Work">Work may have become eligible.</param>
/// <param name="EventsOf">Operations whose events were stored.</param>
/// <param name="AllEvents">Too many to name: every watcher wakes.</param>
/// <param name="Environments">Environments that changed (the environment or one of its operations).</param>
/// <param name="AllEnvironments">Too many to name: every cached environment read is dropped.</param>
public sealed record OperationNotification(
    bool Work, IReadOnlyList<string> EventsOf, bool AllEvents = false, IReadOnlyList<string>? Environments = null, bool AllEnvironments = false)
{
    /// <summary>The channel replicas notify and listen on (one per database).</summary>
    public const string Channel = "platform_operations";

    // Operation ids and environment names each get half of what PostgreSQL takes (under 8000 bytes).
    private const int MaxPayload = 3900;

    /// <summary>The payload to send.</summary>
    public string Format()
    {
        var tokens = new List<string>();
        if (Work)
        {
            tokens.Add("work");
        }

        var length = 0;
        foreach (var id in EventsOf.Distinct(StringComparer.Ordinal))
        {
            length += id.Length + 8;
            if (AllEvents || length > MaxPayload)
            {
                tokens.RemoveAll(t => t.StartsWith("events:", StringComparison.Ordinal));
                tokens.Add("events:*");
                break;
            }

            tokens.Add("events:" + id);
        }

        if (AllEvents && !tokens.Contains("events:*"))
        {
            tokens.Add("events:*");
        }

        length = 0;
        foreach (var name in (Environments ?? []).Distinct(StringComparer.Ordinal))
        {
            length += name.Length + 5;
            if (AllEnvironments || length > MaxPayload)
            {
                tokens.RemoveAll(t => t.StartsWith("env:", StringComparison.Ordinal));
                tokens.Add("env:*");
                break;
            }

            tokens.Add("env:" + name);
        }

        if (AllEnvironments && !tokens.Contains("env:*"))
        {
            tokens.Add("env:*");
        }

        return string.Join(' ', tokens);
    }

    /// <summary>Reads a payload; unknown tokens are ignored (a newer replica may send more).</summary>
    public static OperationNotification Parse(string? payload)
    {
        var tokens = (payload ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var events = tokens.Where(t => t.StartsWith("events:", StringComparison.Ordinal)).Select(t => t["events:".Length..]).ToList();
        var environments = tokens.Where(t => t.StartsWith("env:", StringComparison.Ordinal)).Select(t => t["env:".Length..]).ToList();
        return new OperationNotification(
            tokens.Contains("work", StringComparer.Ordinal), [.. events.Where(e => e is { Length: > 0 } and not "*")], events.Contains("*"),
            [.. environments.Where(e => e is { Length: > 0 } and not "*")], environments.Contains("*"));
    }
}

/// <summary>
/// Sends the wake-ups of what a unit of work stored (<see cref="OperationWakeups"/>): operation events added,
/// operations added or changing state, and environments whose record or operations were added, changed or deleted
/// (for the environment read cache). On PostgreSQL it notifies <see cref="OperationNotification.Channel"/> on the
/// unit of work's own connection right after saving — inside its transaction when it has one, so the notification
/// is delivered exactly when the changes commit, and never for changes rolled back. In this process the wake-ups
/// follow the commit.
/// </summary>
public sealed class OperationWakeupInterceptor(OperationWakeups wakeups, IOptions<PlatformOptions> options, ILogger<OperationWakeupInterceptor> logger)
    : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _saving = [];
    private readonly ConditionalWeakTable<DbContext, Pending> _committing = [];

    /// <summary>The part that follows transactions: local wake-ups wait for the commit.</summary>
    public TransactionPart Transactions => field ??= new TransactionPart(this);

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData?.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Take(_saving, eventData?.Context) is { } pending)
        {
            if (eventData!.Context!.Database.IsNpgsql() && options.Value.Replicas.ListenNotify)
            {
                Notify(eventData.Context, pending);
            }

            Deliver(eventData.Context, pending);
        }

        return result;
    }

    /// <inheritdoc />
    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (Take(_saving, eventData?.Context) is { } pending)
        {
            if (eventData!.Context!.Database.IsNpgsql() && options.Value.Replicas.ListenNotify)
            {
                await NotifyAsync(eventData.Context, pending, cancellationToken);
            }

            Deliver(eventData.Context, pending);
        }

        return result;
    }

    /// <inheritdoc />
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Settle(Take(_saving, eventData?.Context));

    /// <inheritdoc />
    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Settle(Take(_saving, eventData?.Context));
        return Task.CompletedTask;
    }

    // Saves that committed, failed or were rolled back: what they marked as changing is read from the cache again.
    private void Settle(Pending? pending)
    {
        foreach (var name in pending?.Marked ?? [])
        {
            wakeups.EnvironmentSettled(name);
        }
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            switch (entry.Entity)
            {
                case OperationEvent { } added when entry.State == EntityState.Added:
                    (pending ??= new Pending()).Events.Add(added.OperationId);
                    break;
                case StackOperation operation when entry.State is EntityState.Added or EntityState.Deleted or EntityState.Modified:
                    pending ??= new Pending();
                    pending.Environments.Add(operation.EnvironmentName);
                    if (entry.State != EntityState.Modified || entry.Property(nameof(StackOperation.State)).IsModified)
                    {
                        pending.Work = true;
                    }

                    break;
                case Environments.EnvironmentRecord environment when entry.State is EntityState.Added or EntityState.Deleted or EntityState.Modified:
                    (pending ??= new Pending()).Environments.Add(environment.Name);
                    break;
            }
        }

        if (pending is not null)
        {
            // A save that failed and is tried again collects afresh (the failure settled what it marked).
            _saving.AddOrUpdate(context, pending);
            foreach (var name in pending.Environments)
            {
                wakeups.EnvironmentChanging(name);
                pending.Marked.Add(name);
            }
        }
    }

    private static Pending? Take(ConditionalWeakTable<DbContext, Pending> table, DbContext? context) =>
        context is not null && table.TryGetValue(context, out var pending) && table.Remove(context) ? pending : null;

    private void Deliver(DbContext context, Pending pending)
    {
        if (context.Database.CurrentTransaction is null)
        {
            Wake(pending);
            return;
        }

        // Saved inside a transaction: visible to other readers only once it commits.
        if (_committing.TryGetValue(context, out var earlier))
        {
            earlier.Merge(pending);
        }
        else
        {
            _committing.AddOrUpdate(context, pending);
        }
    }

    private void Wake(Pending pending)
    {
        foreach (var operationId in pending.Events)
        {
            wakeups.EventsStored(operationId);
        }

        if (pending.Work)
        {
            wakeups.WorkChanged();
        }

        // Every environment the saves changed was marked changing when they began (Collect): settling drops its
        // cached reads again, now that the changes are committed.
        Settle(pending);
    }

    private void Notify(DbContext context, Pending pending)
    {
        try
        {
            context.Database.ExecuteSql($"SELECT pg_notify({OperationNotification.Channel}, {pending.Notification.Format()})");
        }
        catch (Exception ex) when (Storage.PlatformDatabase.IsFault(ex))
        {
            // The changes are saved (or their transaction fails on its own): other replicas find them by polling.
            logger.LogWarning(ex, "Could not notify other replicas of stored operation changes; they poll for them");
        }
    }

    private async Task NotifyAsync(DbContext context, Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_notify({OperationNotification.Channel}, {pending.Notification.Format()})", cancellationToken);
        }
        catch (Exception ex) when (Storage.PlatformDatabase.IsFault(ex))
        {
            logger.LogWarning(ex, "Could not notify other replicas of stored operation changes; they poll for them");
        }
    }

    /// <summary>What one save stored that someone may be waiting for.</summary>
    private sealed class Pending
    {
        public HashSet<string> Events { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Environments { get; } = new(StringComparer.Ordinal);

        public bool Work { get; set; }

        // Each name this unit of work marked changing in the read cache, once per save that marked it.
        public List<string> Marked { get; } = [];

        public OperationNotification Notification => new(Work, [.. Events], Environments: [.. Environments]);

        public void Merge(Pending other)
        {
            Events.UnionWith(other.Events);
            Environments.UnionWith(other.Environments);
            Marked.AddRange(other.Marked);
            Work |= other.Work;
        }
    }

    /// <summary>Wakes this process's waiters when a transaction holding saved operation changes commits.</summary>
    public sealed class TransactionPart(OperationWakeupInterceptor owner) : DbTransactionInterceptor
    {
        /// <inheritdoc />
        public override void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
        {
            if (Take(owner._committing, eventData?.Context) is { } pending)
            {
                owner.Wake(pending);
            }
        }

        /// <inheritdoc />
        public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            TransactionCommitted(transaction, eventData);
            return Task.CompletedTask;
        }

        /// <inheritdoc />
        public override void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
            owner.Settle(Take(owner._committing, eventData?.Context));

        /// <inheritdoc />
        public override Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            owner.Settle(Take(owner._committing, eventData?.Context));
            return Task.CompletedTask;
        }

        /// <inheritdoc />
        public override void TransactionFailed(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData) =>
            owner.Settle(Take(owner._committing, eventData?.Context));

        /// <inheritdoc />
        public override Task TransactionFailedAsync(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            owner.Settle(Take(owner._committing, eventData?.Context));
            return Task.CompletedTask;
        }
    }
}
