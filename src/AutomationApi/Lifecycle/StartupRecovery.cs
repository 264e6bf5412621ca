using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// Runs once at start-up, before the worker: creates the data directory and database, then repairs what a crash
/// left behind. An operation still <c>running</c> is marked <c>interrupted</c>; its stack's lock is cleared when the
/// process holding it no longer exists; a refresh is queued so the stack's state matches the real resources again;
/// and the original operation is queued again after it (ahead of ordinary work), so nothing is lost — and, since a
/// Pulumi deployment converges on the desired state, nothing is applied twice.
/// </summary>
public sealed class StartupRecovery(
    PlatformPaths paths,
    IDbContextFactory<PlatformDbContext> dbFactory,
    IStackEngine engine,
    PassphraseStore passphrase,
    Platform.Components.Targets.TargetSettings targets,
    Platform.Components.Policies.PolicySettings policies,
    OperationSignal signal,
    EnvironmentLifecycle lifecycle,
    IOptions<PlatformOptions> options,
    TimeProvider time,
    ILogger<StartupRecovery> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the targets here makes a malformed targets file stop the service at start, not fail requests later.
        logger.LogInformation("Deployment targets: {Targets}; advisory rules off in dev: {Disabled}",
            string.Join(", ", targets.Names), string.Join(", ", policies.DisabledIn(Platform.Components.Specs.Tier.Dev)));
        paths.EnsureCreated();
        engine.PrepareBackend();

        // Generated on first start (not first use), so an operator can back it up before any stack exists.
        _ = passphrase.Passphrase;
        logger.LogInformation("State store: {Database}", PlatformDatabase.Describe(options.Value.Database, paths));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (options.Value.Database.MigrateOnStart)
        {
            await PlatformDatabase.MigrateAsync(db, cancellationToken);
        }
        else if (await PlatformDatabase.PendingMigrationsAsync(db, cancellationToken) is { Count: > 0 } pending)
        {
            throw new InvalidOperationException(
                $"The database schema is behind this release (pending migrations: {string.Join(", ", pending)}) and " +
                "Platform:Database:MigrateOnStart is false. Apply them with 'Platform.AutomationApi db migrate' (same " +
                "configuration), then start the service.");
        }
        if (db.Database.IsSqlite())
        {
            // Readers (event streams) never block the writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        var interrupted = await db.Operations.Where(o => o.State == OperationState.Running).OrderBy(o => o.Sequence).ToListAsync(cancellationToken);
        if (interrupted.Count == 0)
        {
            return;
        }

        var queue = new OperationQueue(db, signal, time);
        foreach (var operation in interrupted)
        {
            var environment = await db.Environments.SingleAsync(e => e.Id == operation.EnvironmentId, cancellationToken);
            await ClearStaleLocksAsync(environment.Name, cancellationToken);

            // Saved with the final state, so an event stream that sees it finished also sees the outcome.
            var (refresh, rerun) = await lifecycle.RecoverAsync(db, queue, operation, environment, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning("Operation {OperationId} was interrupted by a restart; queued refresh {RefreshId} and re-run {RerunId}",
                operation.Id, refresh.Id, rerun.Id);
        }

        signal.Notify();
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ClearStaleLocksAsync(string stack, CancellationToken cancellationToken)
    {
        try
        {
            // Only when every lock's process is gone: a live one (or one on another host) is left to the operation's
            // own lock handling.
            await engine.ClearStaleLocksAsync(engine.OpenWorkspace(stack, null), [], cancellationToken);
        }
        catch (EngineNotFoundException ex)
        {
            logger.LogError(ex, "Cannot clear the stale lock on stack {Stack}: the engine is missing", stack);
        }
    }
}
