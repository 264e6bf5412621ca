using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Processes queued operations in order: at most one per environment at a time (later ones wait their turn), at
/// most <see cref="PlatformOptions.MaxConcurrentOperations"/> at once. Work is found in the database, never in
/// memory, so nothing queued is lost when the service stops.
/// </summary>
public sealed class OperationWorker(
    IDbContextFactory<PlatformDbContext> dbFactory,
    OperationExecutor executor,
    OperationSignal signal,
    RunningOperations running,
    Lifecycle.EnvironmentLifecycle lifecycle,
    IOptions<PlatformOptions> options,
    TimeProvider time,
    ILogger<OperationWorker> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var active = new Dictionary<string, (string Environment, Task Task)>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var done in active.Where(a => a.Value.Task.IsCompleted).Select(a => a.Key).ToList())
            {
                active.Remove(done);
            }

            try
            {
                await StartEligibleAsync(active, stoppingToken);
                await signal.WaitAsync(options.Value.WorkerPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                logger.LogError(ex, "Operation worker pass failed; retrying");
                await Task.Delay(options.Value.WorkerPollInterval, CancellationToken.None);
            }
        }

        await Task.WhenAll(active.Values.Select(a => a.Task));
    }

    private async Task StartEligibleAsync(Dictionary<string, (string Environment, Task Task)> active, CancellationToken stoppingToken)
    {
        var limit = Math.Max(1, options.Value.MaxConcurrentOperations);
        if (active.Count >= limit)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
        var queued = await db.Operations.AsNoTracking()
            .Where(o => o.State == Operations.OperationState.Queued)
            .OrderBy(o => o.Priority).ThenBy(o => o.Sequence)
            .Select(o => new { o.Id, o.EnvironmentName })
            .Take(500)
            .ToListAsync(stoppingToken);
        var busy = active.Values.Select(a => a.Environment).ToHashSet(StringComparer.Ordinal);
        foreach (var next in queued)
        {
            // Whether started or not, the first queued operation of an environment blocks the ones behind it.
            if (!busy.Add(next.EnvironmentName))
            {
                continue;
            }

            if (active.Count >= limit)
            {
                break;
            }

            active[next.Id] = (next.EnvironmentName, RunAsync(next.Id, next.EnvironmentName, stoppingToken));
        }
    }

    private async Task MarkFailedAsync(string operationId, Exception error)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
            if (operation.IsFinished)
            {
                return;
            }

            lifecycle.FailInternally(operation, error);

            // With its final event, in one transaction: an event stream that sees it finished also sees why.
            await OperationQueue.StageEventAsync(db, operationId, operation.FinishedAt ?? time.GetUtcNow(), "state", $"failed: internal-error: {operation.ErrorMessage}", "failed");
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            logger.LogError(ex, "Could not record the failure of operation {OperationId}; start-up recovery will", operationId);
        }
    }

    private async Task RunAsync(string operationId, string environment, CancellationToken stoppingToken)
    {
        await Task.Yield();

        // Every log line of the operation, the executor's and the engine's included, carries its id and environment.
        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["OperationId"] = operationId, ["Environment"] = environment });
        using var activity = Telemetry.PlatformTelemetry.Source.StartActivity("operation");
        activity?.SetTag("platform.operation.id", operationId);
        using var cancel = new CancellationTokenSource();
        using var kill = new CancellationTokenSource();
        running.Add(operationId, cancel, kill);
        try
        {
            await executor.ExecuteAsync(operationId, cancel.Token, kill.Token, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Operation {OperationId} failed unexpectedly", operationId);
            await MarkFailedAsync(operationId, ex);
        }
        finally
        {
            running.Remove(operationId);
            signal.Notify();
        }
    }
}
