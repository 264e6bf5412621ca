using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>Wakes the <see cref="OperationWorker"/> when work is queued or a slot frees up.</summary>
public sealed class OperationSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();

    /// <summary>Signals new work.</summary>
    public void Notify() => _signal.Release();

    /// <summary>Waits for a signal or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(timeout, cancellationToken);

        // Collapse a burst of signals into one pass.
        while (_signal.CurrentCount > 0 && _signal.Wait(0, CancellationToken.None))
        {
        }
    }
}

/// <summary>The operations this process is running, so that a cancel request can reach the engine.</summary>
public sealed class RunningOperations
{
    private readonly ConcurrentDictionary<string, (CancellationTokenSource Cancel, CancellationTokenSource Kill)> _running = new(StringComparer.Ordinal);

    /// <summary>Registers a running operation: its cancel (interrupt) and force-cancel (kill) sources.</summary>
    public void Add(string operationId, CancellationTokenSource cancel, CancellationTokenSource kill) => _running[operationId] = (cancel, kill);

    /// <summary>Forgets an operation.</summary>
    public void Remove(string operationId) => _running.TryRemove(operationId, out _);

    /// <summary>Whether <paramref name="operationId"/> is running in this process.</summary>
    public bool IsRunning(string operationId) => _running.ContainsKey(operationId);

    /// <summary>
    /// Requests cancellation: the engine is interrupted and finishes its in-flight resource operations; with
    /// <paramref name="force"/> it is killed at once. False when the operation is not running here.
    /// </summary>
    public bool TryCancel(string operationId, bool force = false)
    {
        if (!_running.TryGetValue(operationId, out var sources))
        {
            return false;
        }

        try
        {
            sources.Cancel.Cancel();
            if (force)
            {
                sources.Kill.Cancel();
            }

            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}

/// <summary>Creates stored operations and their events.</summary>
/// <param name="db">The unit of work the operations are added to.</param>
/// <param name="signal">Wakes the worker.</param>
/// <param name="time">The clock.</param>
/// <param name="claim">A request's Idempotency-Key, stored with the first operation the request queues.</param>
/// <param name="audit">The request's audit context: who asked (the operation's actor), and what it queued.</param>
public sealed class OperationQueue(PlatformDbContext db, OperationSignal signal, TimeProvider time, Apis.IdempotencyClaim? claim = null, Audit.RequestAudit? audit = null)
{
    /// <summary>Adds an operation for <paramref name="environment"/> (not saved: the caller saves, so it is atomic with its other changes).</summary>
    public StackOperation Add(EnvironmentRecord environment, OperationKind kind, string? specText, string origin, int priority = 1)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var now = time.GetUtcNow();
        var operation = new StackOperation
        {
            Id = NewId(),
            EnvironmentName = environment.Name,
            EnvironmentId = environment.Id,
            Kind = kind,
            State = OperationState.Queued,
            SpecText = specText,
            Origin = origin,
            Actor = audit?.Actor,
            Priority = priority,
            CreatedAt = now,
        };
        db.Operations.Add(operation);
        audit?.Queued(operation, db);
        db.Events.Add(new OperationEvent
        {
            OperationId = operation.Id,
            Sequence = 1,
            Timestamp = now,
            Type = "state",
            Detail = "queued",
            Message = $"{kind} of {environment.Name} queued by {origin}.",
        });
        claim?.Attach(db, operation, now);
        if (DecidesStatus(kind))
        {
            // Only deployments and destroys say what state the environment is in: a refresh or preview queued behind
            // an update must not become the operation whose outcome the status waits for.
            environment.LastOperationId = operation.Id;
        }

        return operation;
    }

    /// <summary>Whether operations of <paramref name="kind"/> decide the environment's status (create, update, destroy).</summary>
    public static bool DecidesStatus(OperationKind kind) => kind is OperationKind.Create or OperationKind.Update or OperationKind.Destroy;

    /// <summary>Wakes the worker (call after saving).</summary>
    public void Notify() => signal.Notify();

    /// <summary>A new operation id: sortable by time, unguessable.</summary>
    public static string NewId() => "op_" + Guid.CreateVersion7().ToString("N");

    /// <summary>
    /// Adds (without saving) an event with the next sequence number, so the caller saves it in one transaction with
    /// the change it reports; on a sequence clash (another writer appended first) the caller starts over.
    /// </summary>
    public static async Task<OperationEvent> StageEventAsync(PlatformDbContext db, string operationId, DateTimeOffset at, string type, string? message, string? detail = null, string? urn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var last = await db.Events.Where(e => e.OperationId == operationId).MaxAsync(e => (int?)e.Sequence, cancellationToken) ?? 0;
        var item = new OperationEvent
        {
            OperationId = operationId,
            Sequence = last + 1,
            Timestamp = at,
            Type = type,
            Message = message,
            Detail = detail,
            Urn = urn,
        };
        db.Events.Add(item);
        return item;
    }

    /// <summary>
    /// Appends an event to an operation's stream with the next sequence number. The API (cancel requests) and the
    /// executor both append; the unique index on (operation, sequence) settles a race, and the loser takes the next number.
    /// </summary>
    public static async Task AppendEventAsync(PlatformDbContext db, string operationId, DateTimeOffset at, string type, string? message, string? detail = null, string? urn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        for (var attempt = 0; ; attempt++)
        {
            var item = await StageEventAsync(db, operationId, at, type, message, detail, urn, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < 10)
            {
                db.Entry(item).State = EntityState.Detached;
            }
        }
    }
}
