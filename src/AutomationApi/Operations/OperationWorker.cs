using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Processes queued operations in order: at most one per environment at a time (later ones wait their turn), at
/// most <see cref="PlatformOptions.MaxConcurrentOperations"/> at once on this replica. Work is found and claimed in
/// the database (<see cref="OperationLeases"/>), never in memory, so nothing queued is lost when the service stops
/// and each operation runs on exactly one replica. While an operation runs its lease is renewed; each pass also
/// recovers operations whose replica's lease ran out.
/// </summary>
public sealed class OperationWorker(
    IDbContextFactory<PlatformDbContext> dbFactory,
    OperationExecutor executor,
    OperationSignal signal,
    RunningOperations running,
    OperationLeases leases,
    Lifecycle.StartupRecovery recovery,
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
                await recovery.RecoverAbandonedAsync(startup: false, active.Keys.ToHashSet(StringComparer.Ordinal), stoppingToken);
                await StartEligibleAsync(active, stoppingToken);
                await signal.WaitAsync(options.Value.WorkerPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (PlatformDatabase.IsFault(ex))
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
        foreach (var (id, environment) in await leases.ClaimAsync(limit - active.Count, stoppingToken))
        {
            active[id] = (environment, RunAsync(id, environment, stoppingToken));
        }
    }

    private async Task MarkFailedAsync(string operationId, Exception error)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
            if (operation.IsFinished || operation.LeaseOwner != leases.Owner)
            {
                // Finished, or taken over by another replica, whose recovery stands.
                return;
            }

            lifecycle.FailInternally(operation, error);

            // With its final event and its notification, in one transaction: an event stream that sees it finished
            // also sees why, and webhooks hear of it like any other outcome.
            await OperationQueue.StageEventAsync(db, operationId, operation.FinishedAt ?? time.GetUtcNow(), "state", $"failed: internal-error: {operation.ErrorMessage}", "failed");
            if (await db.Environments.FindAsync([operation.EnvironmentId], CancellationToken.None) is { } environment)
            {
                Notifications.NotificationOutbox.StageOutcome(db, operation, environment, operation.FinishedAt ?? time.GetUtcNow());
            }

            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (PlatformDatabase.IsFault(ex))
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

        // A lost lease (another replica took the operation over) stops the engine as a shutdown would: the outcome
        // is then the recovering replica's to record, not this one's.
        using var leaseLost = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leaseLost.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(operationId, cancel, kill, leaseLost, heartbeatStop.Token);
        try
        {
            var finished = await executor.ExecuteAsync(operationId, cancel.Token, kill.Token, stop.Token);
            if (!finished && !leaseLost.IsCancellationRequested)
            {
                // Stopping without finishing it: another replica may recover it at once instead of after the lease.
                await ReleaseAsync(operationId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Operation {OperationId} failed unexpectedly", operationId);
            await MarkFailedAsync(operationId, ex);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            running.Remove(operationId);
            signal.Notify();
        }
    }

    /// <summary>
    /// Renews the operation's lease every heartbeat interval until stopped; passes on a cancel request made on any
    /// replica; signals <paramref name="leaseLost"/> when another replica took the operation over.
    /// </summary>
    private async Task HeartbeatAsync(string operationId, CancellationTokenSource cancel, CancellationTokenSource kill, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        var replicas = options.Value.Replicas;
        var renewed = time.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(replicas.HeartbeatInterval, time, stop);
                var renewal = await leases.RenewAsync(operationId, stop);
                renewed = time.GetUtcNow();
                if (!renewal.Held)
                {
                    logger.LogWarning("Operation {OperationId} is no longer leased to this replica; stopping its engine", operationId);
                    await leaseLost.CancelAsync();
                    return;
                }

                if (renewal.CancelRequested)
                {
                    await cancel.CancelAsync();
                }

                if (renewal.KillRequested)
                {
                    await kill.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (PlatformDatabase.IsFault(ex))
            {
                // The database is unreachable for now: the lease may run out, and then another replica recovers it.
                logger.LogWarning(ex, "Could not renew the lease of operation {OperationId}", operationId);
                if (time.GetUtcNow() - renewed >= replicas.LeaseDuration - replicas.HeartbeatInterval)
                {
                    // The lease runs out before the next try: another replica may take the operation over and, on the
                    // lease's authority, clear this engine's lock. Stop the engine now rather than run beside it.
                    logger.LogError("The lease of operation {OperationId} runs out unrenewed; stopping its engine for another replica to recover it", operationId);
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
    }

    private async Task ReleaseAsync(string operationId)
    {
        try
        {
            await leases.ReleaseAsync(operationId, CancellationToken.None);
        }
        catch (Exception ex) when (PlatformDatabase.IsFault(ex))
        {
            logger.LogWarning(ex, "Could not release the lease of operation {OperationId}; it runs out by itself", operationId);
        }
    }
}
