using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// Destroys environments past their <see cref="EnvironmentRecord.ExpiresAt"/>: every
/// <see cref="PlatformOptions.ReaperInterval"/> (on the injected <see cref="TimeProvider"/>'s clock) it queues a
/// destroy for each expired live environment that has none queued yet, and whose last destroy did not fail within
/// <see cref="PlatformOptions.ReaperFailureBackoff"/>.
/// </summary>
public sealed class TtlReaper(
    IDbContextFactory<PlatformDbContext> dbFactory,
    OperationSignal signal,
    EnvironmentLifecycle lifecycle,
    TimeProvider time,
    IOptions<PlatformOptions> options,
    ILogger<TtlReaper> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
                await Task.Delay(options.Value.ReaperInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (PlatformDatabase.IsFault(ex))
            {
                logger.LogError(ex, "TTL sweep failed; trying again next interval");
                await Task.Delay(options.Value.ReaperInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>Queues a destroy for every expired live environment; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = await db.Environments
            .Where(e => e.ExpiresAt != null && e.ExpiresAt <= now &&
                        e.Status != EnvironmentStatus.Destroyed && e.Status != EnvironmentStatus.Destroying)
            .ToListAsync(cancellationToken);
        var queue = new OperationQueue(db, signal, time);
        var count = 0;
        foreach (var environment in expired)
        {
            var lastDestroy = await db.Operations.AsNoTracking()
                .Where(o => o.EnvironmentId == environment.Id && o.Kind == OperationKind.Destroy)
                .OrderByDescending(o => o.Sequence)
                .Select(o => new { o.State, o.FinishedAt })
                .FirstOrDefaultAsync(cancellationToken);
            if (lastDestroy is { State: OperationState.Queued or OperationState.Running })
            {
                continue;
            }

            if (lastDestroy is { State: OperationState.Failed, FinishedAt: { } failedAt } && now - failedAt < options.Value.ReaperFailureBackoff)
            {
                // A destroy that just failed would most likely fail again: try again after the back-off, not every sweep.
                continue;
            }

            var operation = lifecycle.QueueDestroy(queue, environment, "reaper", force: false);
            logger.LogInformation("Environment {Environment} expired at {ExpiresAt}; destroy {OperationId} queued", environment.Name, environment.ExpiresAt, operation.Id);
            count++;
        }

        if (count > 0)
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                queue.Notify();
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone changed one of them meanwhile; the next sweep looks again.
                return 0;
            }
        }

        return count;
    }
}
