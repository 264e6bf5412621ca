using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// The lifecycle of environments and their operations, shared by the HTTP handlers, the TTL reaper, start-up recovery
/// and the executor: each change queues operations and moves states through the transitions of
/// <see cref="EnvironmentRecord"/> and <see cref="StackOperation"/>, together, in the caller's unit of work (which the
/// caller saves, so a change is atomic with its other writes).
/// </summary>
public sealed class EnvironmentLifecycle(TimeProvider time)
{
    /// <summary>Queues a deployment of <paramref name="protectedSpec"/> (an update, a deploy, a promotion, a rollback).</summary>
    /// <param name="queue">The request's queue.</param>
    /// <param name="environment">The environment.</param>
    /// <param name="protectedSpec">The spec to deploy, encrypted.</param>
    /// <param name="origin">Who asked.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed.</exception>
    public StackOperation QueueUpdate(OperationQueue queue, EnvironmentRecord environment, string protectedSpec, string origin)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(environment);
        environment.EnsureDeployable();
        var operation = queue.Add(environment, OperationKind.Update, protectedSpec, origin);
        environment.BeginUpdate(time.GetUtcNow());
        return operation;
    }

    /// <summary>Queues a destroy (by a caller or the reaper); <paramref name="force"/> unprotects protected resources first.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="environment">The environment.</param>
    /// <param name="origin">Who asked.</param>
    /// <param name="force">Whether protected resources are destroyed too.</param>
    /// <exception cref="IllegalTransitionException">The environment is already destroyed.</exception>
    public StackOperation QueueDestroy(OperationQueue queue, EnvironmentRecord environment, string origin, bool force)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(environment);
        environment.BeginDestroy(time.GetUtcNow());
        var operation = queue.Add(environment, OperationKind.Destroy, null, origin);
        operation.Force = force;
        return operation;
    }

    /// <summary>
    /// A caller's cancel: a queued operation is cancelled at once, with its final event staged in the same unit of work
    /// (returns <see langword="true"/>); a running one is only marked (the caller interrupts its engine).
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <param name="force">Whether a running engine is to be killed at once (recorded, so the replica running it learns it).</param>
    /// <exception cref="IllegalTransitionException">It already finished.</exception>
    public async Task<bool> CancelAsync(PlatformDbContext db, StackOperation operation, CancellationToken cancellationToken, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(operation);
        var now = time.GetUtcNow();
        if (!operation.RequestCancel(now, force))
        {
            return false;
        }

        // Saved with the final state, so an event stream that sees it finished also sees the outcome.
        await OperationQueue.StageEventAsync(db, operation.Id, now, "state", operation.ErrorMessage, "cancelled", cancellationToken: cancellationToken);
        if (await db.Environments.FindAsync([operation.EnvironmentId], cancellationToken) is { } environment)
        {
            Notifications.NotificationOutbox.StageOutcome(db, operation, environment, now);
        }
        return true;
    }

    /// <summary>After a queued operation was cancelled: its environment is again as the operation before it left it.</summary>
    /// <param name="db">The unit of work (saved here).</param>
    /// <param name="cancelled">The cancelled operation.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task RestoreAfterCancelAsync(PlatformDbContext db, StackOperation cancelled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(cancelled);
        var environment = await db.Environments.SingleAsync(e => e.Id == cancelled.EnvironmentId, cancellationToken);
        var previous = await db.Operations.AsNoTracking()
            .Where(o => o.EnvironmentId == environment.Id && o.Id != cancelled.Id && o.Kind != OperationKind.Preview)
            .OrderByDescending(o => o.Sequence).FirstOrDefaultAsync(cancellationToken);
        environment.RestoreAfterCancel(cancelled, previous, time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A newer operation took over the environment; its status stands.
        }
    }

    /// <summary>
    /// Records an operation's outcome on the operation and its environment, and stages its final <c>state</c> event,
    /// all in <paramref name="db"/>'s unit of work.
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="operationId">The operation.</param>
    /// <param name="owner">The replica that ran it: nothing is recorded (false) unless it still holds the operation.</param>
    /// <param name="outcome">What it means for the environment.</param>
    /// <param name="attempts">Runs of its engine command.</param>
    /// <param name="error">Why it did not succeed.</param>
    /// <param name="resultJson">Its result document.</param>
    public async Task<bool> RecordOutcomeAsync(PlatformDbContext db, string operationId, string owner, OperationOutcome outcome, int attempts, EngineError? error, string? resultJson)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(outcome);
        var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
        if (operation.State != OperationState.Running || operation.LeaseOwner != owner)
        {
            return false;
        }

        var environment = await db.Environments.SingleAsync(e => e.Id == operation.EnvironmentId, CancellationToken.None);
        var previous = outcome.NothingChanged
            ? await db.Operations.AsNoTracking()
                .Where(o => o.EnvironmentId == environment.Id && o.Id != operation.Id && o.State != OperationState.Queued &&
                            (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update))
                .OrderByDescending(o => o.Sequence).Select(o => (OperationState?)o.State).FirstOrDefaultAsync(CancellationToken.None)
            : null;
        var now = time.GetUtcNow();
        operation.Finish(outcome.State, attempts, error?.Code, error?.Message, resultJson, now);
        environment.ApplyOutcome(operation, outcome, previous, now);
        Notifications.NotificationOutbox.StageOutcome(db, operation, environment, now);
        return true;
    }

    /// <summary>The host stopped an engine that was killed with operations pending: start-up recovery's refresh must repair them.</summary>
    /// <param name="db">The unit of work (saved here).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="pendingJson">The pending operations (JSON).</param>
    public async Task NeedsRepairAsync(PlatformDbContext db, string environmentId, string pendingJson)
    {
        ArgumentNullException.ThrowIfNull(db);
        var environment = await db.Environments.SingleAsync(e => e.Id == environmentId, CancellationToken.None);
        environment.NeedsRepair(pendingJson, time.GetUtcNow());
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The service failed while running an operation (not the engine): it fails, naming the service log.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="error">What went wrong.</param>
    public void FailInternally(StackOperation operation, Exception error)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(error);
        operation.Finish(OperationState.Failed, operation.Attempts, "internal-error",
            $"The service failed while running the operation ({error.GetType().Name}); see the service log.", operation.ResultJson, time.GetUtcNow());
    }

    /// <summary>
    /// Start-up recovery of an operation a crash left running: it ends <c>interrupted</c>, and a refresh (so the
    /// stack's state matches the real resources) and a re-run are queued ahead of ordinary work; a deployment queued
    /// after it still decides the environment's status. The final event is staged in the same unit of work.
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="queue">Its queue.</param>
    /// <param name="operation">The interrupted operation.</param>
    /// <param name="environment">Its environment.</param>
    /// <param name="cancellationToken">Start-up abort.</param>
    public async Task<(StackOperation Refresh, StackOperation Rerun)> RecoverAsync(
        PlatformDbContext db, OperationQueue queue, StackOperation operation, EnvironmentRecord environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(environment);
        var now = time.GetUtcNow();
        var refresh = queue.Add(environment, OperationKind.Refresh, null, "recovery", priority: 0);
        refresh.RecoveryOf = operation.Id;
        var newerDeployment = await db.Operations
            .Where(o => o.EnvironmentId == environment.Id && o.State == OperationState.Queued && o.Sequence > operation.Sequence &&
                        (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update || o.Kind == OperationKind.Destroy))
            .OrderByDescending(o => o.Sequence).Select(o => o.Id).FirstOrDefaultAsync(cancellationToken);
        var rerun = queue.Add(environment, operation.Kind, operation.SpecText, "recovery", priority: 0);
        rerun.RecoveryOf = operation.Id;
        rerun.Actor = operation.Actor;
        if (newerDeployment is not null && OperationQueue.DecidesStatus(operation.Kind))
        {
            // The re-run goes first, but a deployment queued after the interrupted one still decides the status.
            environment.LastOperationId = newerDeployment;
        }

        environment.UpdatedAt = now;
        operation.Interrupt(rerun.Id, $"The service stopped while this operation ran. A refresh ({refresh.Id}) and a re-run ({rerun.Id}) were queued.", now);
        await OperationQueue.StageEventAsync(db, operation.Id, now, "state", operation.ErrorMessage, "interrupted", cancellationToken: cancellationToken);
        Notifications.NotificationOutbox.StageOutcome(db, operation, environment, now);
        return (refresh, rerun);
    }
}
