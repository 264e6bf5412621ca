using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// Runs once at start-up, before the worker: creates the data directory and database, then repairs what a crash
/// left behind. An operation still <c>running</c> that no live replica holds (SQLite: any; PostgreSQL: its lease ran
/// out, or this replica held it before restarting — see <see cref="OperationLeases"/>) is marked <c>interrupted</c>;
/// the stack lock its replica left is cleared (<see cref="TakenOverStackLocks"/>: the lease vouches for a lock of
/// another host, a live process on this host keeps its lock); a refresh is queued so the stack's state
/// matches the real resources again; and the original operation is queued again after it (ahead of ordinary work), so
/// nothing is lost — and, since a Pulumi deployment converges on the desired state, nothing is applied twice. The
/// worker does the same, while the service runs, for operations whose replica's lease runs out.
/// </summary>
public sealed class StartupRecovery(
    PlatformPaths paths,
    IDbContextFactory<PlatformDbContext> dbFactory,
    IStackEngine engine,
    PassphraseStore passphrase,
    Platform.Components.Targets.TargetSettings targets,
    Platform.Components.Policies.PolicySettings policies,
    OperationSignal signal,
    OperationLeases leases,
    TakenOverStackLocks staleLocks,
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
        if (options.Value.Database.IsPostgres && !passphrase.IsConfigured)
        {
            logger.LogWarning("The stack secrets passphrase is this replica's own file ({File}): other replicas on this database " +
                "cannot read what it encrypts. Give every replica the same Platform:Passphrase (or PULUMI_CONFIG_PASSPHRASE) from a secret store.",
                paths.PassphraseFile);
        }

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
                "Platform:Database:MigrateOnStart is false. Apply them with 'platform db migrate' or 'Platform.AutomationApi db migrate' " +
                "(same configuration), then start the service.");
        }
        if (db.Database.IsSqlite())
        {
            // Readers (event streams) never block the writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await RecoverAbandonedAsync(startup: true, new HashSet<string>(StringComparer.Ordinal), cancellationToken);
    }

    /// <summary>
    /// Recovers running operations no live replica holds (<see cref="OperationLeases.TakeOverAbandonedAsync"/>): each
    /// ends <c>interrupted</c>, with a refresh and a re-run queued. Returns how many.
    /// </summary>
    /// <param name="startup">Whether this replica is starting (then it also recovers what it held before a restart).</param>
    /// <param name="runningHere">Operations this replica is running, never touched.</param>
    /// <param name="cancellationToken">Abort.</param>
    public async Task<int> RecoverAbandonedAsync(bool startup, IReadOnlySet<string> runningHere, CancellationToken cancellationToken)
    {
        if (!leases.MayTakeOver(startup))
        {
            // SQLite after start-up: nothing can have been abandoned, so the worker's pass opens no unit of work for it.
            return 0;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var interrupted = await leases.TakeOverAbandonedAsync(db, startup, runningHere, cancellationToken);
        if (interrupted.Count == 0)
        {
            return 0;
        }

        var queue = new OperationQueue(db, signal, time);
        var recovered = 0;
        foreach (var operation in interrupted)
        {
            var environment = await db.Environments.SingleAsync(e => e.Id == operation.EnvironmentId, cancellationToken);
            // Its lease, now this replica's, vouches that the lock's owner is gone, on whichever host it ran.
            await staleLocks.ClearAsync(environment, operation.Id, cancellationToken);

            // Saved with the final state, so an event stream that sees it finished also sees the outcome.
            var (refresh, rerun) = await lifecycle.RecoverAsync(db, queue, operation, environment, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                recovered++;
            }
            catch (DbUpdateException ex)
            {
                // Changed meanwhile (a cancel request): this replica's lease on it runs out, and the next pass retries.
                logger.LogWarning(ex, "Could not recover operation {OperationId} yet; retrying once its lease runs out", operation.Id);
                db.ChangeTracker.Clear();
                continue;
            }

            logger.LogWarning("Operation {OperationId} was interrupted (the replica running it stopped or lost its lease); queued refresh {RefreshId} and re-run {RerunId}",
                operation.Id, refresh.Id, rerun.Id);
        }

        signal.Notify();
        return recovered;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
