using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// The decisions behind a request to change an operation (cancel it), one per request (scoped), in the request's unit
/// of work; the handler binds, calls and maps the <see cref="LifecycleResult{T}"/>.
/// </summary>
public sealed class OperationCommands(PlatformDbContext db, RunningOperations running, EnvironmentLifecycle lifecycle, TimeProvider time)
{
    /// <summary>
    /// Cancels an operation: a queued one never runs (its environment is again as the operation before it left it); a
    /// running one's engine is interrupted, here or, through the stored request, by whichever replica runs it.
    /// </summary>
    /// <param name="id">The operation.</param>
    /// <param name="force">Kill the engine at once instead of letting it finish its in-flight resource operations.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">It already finished (the API's 409).</exception>
    public async Task<LifecycleResult<StackOperation>> CancelAsync(string id, bool force, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var operation = await db.Operations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (operation is null)
            {
                return Refusals.OperationNotFound(id);
            }

            // A finished operation cannot be cancelled: the transition refuses it (a 409 problem).
            var now = time.GetUtcNow();
            var wasQueued = await lifecycle.CancelAsync(db, operation, cancellationToken, force);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // It started (or finished) meanwhile: look again.
                db.ChangeTracker.Clear();
                continue;
            }

            if (wasQueued)
            {
                await lifecycle.RestoreAfterCancelAsync(db, operation, cancellationToken);
            }
            else
            {
                await OperationQueue.AppendEventAsync(db, id, now, "cancel", force
                    ? "Force-cancel requested: killing the engine without waiting for its in-flight resource operations."
                    : "Cancel requested: interrupting the engine; it finishes its in-flight resource operations first.", force ? "force" : null, cancellationToken: cancellationToken);

                // Here when this replica runs it; otherwise its replica reads the request at its next lease renewal.
                running.TryCancel(id, force);
            }

            return operation;
        }
    }
}
