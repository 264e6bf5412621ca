using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>This replica's name in operation leases (<see cref="PlatformReplicaOptions.Id"/>).</summary>
public sealed class ReplicaIdentity(IOptions<PlatformOptions> options)
{
    /// <summary>The name: configured, or <c>&lt;machine name&gt;-&lt;process id&gt;</c>.</summary>
    public string Id { get; } = options.Value.Replicas.Id is { Length: > 0 } id ? id.Trim() : $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>What a lease renewal found.</summary>
/// <param name="Held">The lease is still this replica's (false: another replica took the operation over, or it finished).</param>
/// <param name="CancelRequested">A caller asked to cancel the operation (on any replica).</param>
/// <param name="KillRequested">A caller asked to force-cancel it.</param>
public readonly record struct LeaseRenewal(bool Held, bool CancelRequested, bool KillRequested);

/// <summary>
/// How replicas on one database share operations. A queued operation is claimed by exactly one replica in one
/// transaction — on PostgreSQL with <c>SELECT … FOR UPDATE SKIP LOCKED</c>, so replicas never wait on each other's
/// claims; SQLite has one writer and one process, so its transaction alone is enough — and only when nothing of its
/// environment runs or is queued ahead of it, so per-environment order holds across replicas. The claim starts the
/// operation and gives it a lease, which the running replica renews; an operation whose lease ran out is taken over
/// by another replica and recovered as start-up recovery would.
/// </summary>
public sealed class OperationLeases(
    IDbContextFactory<PlatformDbContext> dbFactory,
    ReplicaIdentity replica,
    IOptions<PlatformOptions> options,
    TimeProvider time)
{
    // Eligible: queued, with nothing of its environment running or queued ahead of it (recovery work, priority 0,
    // goes first). Ordered as the queue is: priority, then sequence.
    private const string Eligible = """
        SELECT o.* FROM "Operations" AS o
        WHERE o."State" = 'Queued' AND NOT EXISTS (
            SELECT 1 FROM "Operations" AS p
            WHERE p."EnvironmentName" = o."EnvironmentName" AND p."Sequence" <> o."Sequence" AND (p."State" = 'Running' OR (p."State" = 'Queued' AND
                  (p."Priority" < o."Priority" OR (p."Priority" = o."Priority" AND p."Sequence" < o."Sequence")))))
        ORDER BY o."Priority", o."Sequence"
        """;

    /// <summary>This replica's name.</summary>
    public string Owner => replica.Id;

    private TimeSpan Lease => options.Value.Replicas.LeaseDuration;

    /// <summary>
    /// Claims up to <paramref name="count"/> eligible queued operations for this replica: each is started (with its
    /// <c>running</c> event) and leased, all in one transaction. Returns their ids and environments.
    /// </summary>
    public async Task<IReadOnlyList<(string Id, string Environment)>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var postgres = db.Database.IsNpgsql();

        // Rows another replica is claiming are skipped, not waited for: it takes them, this one takes the next.
        var sql = Eligible + " LIMIT " + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + (postgres ? " FOR UPDATE OF o SKIP LOCKED" : "");

        // The provider's execution strategy retries the whole transaction after a transient fault (it refuses a
        // transaction it does not own).
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var claimed = await db.Operations.FromSqlRaw(sql).ToListAsync(cancellationToken);
            if (claimed.Count == 0)
            {
                return (IReadOnlyList<(string, string)>)[];
            }

            var now = time.GetUtcNow();
            var environments = new HashSet<string>(StringComparer.Ordinal);
            var starting = new List<StackOperation>(claimed.Count);
            foreach (var operation in claimed)
            {
                // One per environment per pass: the second of an environment waits for the first (which is now running).
                if (environments.Add(operation.EnvironmentName))
                {
                    operation.Claim(Owner, now, Lease);
                    starting.Add(operation);
                }
            }

            // Each one's "started" event commits with its claim: one commit for the batch, and a stream that sees an
            // operation running also sees that it started.
            var ids = starting.Select(o => o.Id).ToList();
            var last = await db.Events.Where(e => ids.Contains(e.OperationId))
                .GroupBy(e => e.OperationId)
                .Select(g => new { OperationId = g.Key, Sequence = g.Max(e => e.Sequence) })
                .ToDictionaryAsync(e => e.OperationId, e => e.Sequence, StringComparer.Ordinal, cancellationToken);
            foreach (var operation in starting)
            {
                db.Events.Add(StartedEvent(operation, last.GetValueOrDefault(operation.Id) + 1, now));
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Cancelled while being claimed (SQLite; on PostgreSQL the row lock keeps a cancel waiting), or an event
                // of one stored meanwhile took its sequence number: nothing was claimed, the next pass tries again.
                return [];
            }

            return [.. claimed.Where(o => o.LeaseOwner == Owner && o.State == OperationState.Running).Select(o => (o.Id, o.EnvironmentName))];
        });
    }

    /// <summary>The <c>state</c> event of an operation this replica starts (<c>running</c>).</summary>
    internal static OperationEvent StartedEvent(StackOperation operation, int sequence, DateTimeOffset at) => new()
    {
        OperationId = operation.Id,
        Sequence = sequence,
        Timestamp = at,
        Type = "state",
        Detail = "running",
        Message = $"{operation.Kind} started.",
    };

    /// <summary>
    /// Renews the lease of a running operation this replica holds, and reads whether a caller asked to cancel it
    /// (the request may have reached another replica).
    /// </summary>
    public async Task<LeaseRenewal> RenewAsync(string operationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var until = time.GetUtcNow() + Lease;

        // A plain update of the lease alone (no row version change): a concurrent cancel request is not disturbed.
        var renewed = await db.Operations
            .Where(o => o.Id == operationId && o.LeaseOwner == Owner && o.State == OperationState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseExpiresAt, until), cancellationToken);
        if (renewed == 0)
        {
            return new LeaseRenewal(false, false, false);
        }

        var flags = await db.Operations.AsNoTracking().Where(o => o.Id == operationId)
            .Select(o => new { o.CancelRequested, o.KillRequested }).SingleAsync(cancellationToken);
        return new LeaseRenewal(true, flags.CancelRequested, flags.KillRequested);
    }

    /// <summary>
    /// Lets go of a running operation this replica stops without finishing (the host is stopping): its lease ends
    /// now, so another replica recovers it at once instead of after the lease would have run out.
    /// </summary>
    public async Task ReleaseAsync(string operationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var released = await db.Operations
            .Where(o => o.Id == operationId && o.LeaseOwner == Owner && o.State == OperationState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseExpiresAt, now), cancellationToken);
        if (released > 0 && db.Database.IsNpgsql() && options.Value.Replicas.ListenNotify)
        {
            // Other replicas' workers look at once, not at their next poll.
            var work = new OperationNotification(Work: true, []).Format();
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({OperationNotification.Channel}, {work})", cancellationToken);
        }
    }

    /// <summary>
    /// Whether a recovery pass can find anything to take over (<see cref="TakeOverAbandonedAsync"/>): on PostgreSQL
    /// always (another replica's lease may have run out); on SQLite (one process per file) only at start-up, since
    /// nothing else runs operations there. A pass that cannot needs no unit of work at all.
    /// </summary>
    /// <param name="startup">Whether this replica is starting.</param>
    public bool MayTakeOver(bool startup) => startup || options.Value.Database.IsPostgres;

    /// <summary>
    /// Takes over running operations that no live replica holds, so this replica recovers them: on PostgreSQL those
    /// whose lease ran out (their replica died or lost the database) — and, at <paramref name="startup"/>, those this
    /// replica held before it restarted — each taken by exactly one replica; on SQLite (one process per file), at
    /// start-up only, everything still running, which a crash left. Operations in <paramref name="runningHere"/> are
    /// never taken. Returns the operations, tracked in <paramref name="db"/>.
    /// </summary>
    public async Task<IReadOnlyList<StackOperation>> TakeOverAbandonedAsync(
        PlatformDbContext db, bool startup, IReadOnlySet<string> runningHere, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(runningHere);
        var now = time.GetUtcNow();
        if (!db.Database.IsNpgsql())
        {
            return startup
                ? await db.Operations.Where(o => o.State == OperationState.Running).OrderBy(o => o.Sequence).ToListAsync(cancellationToken)
                : [];
        }

        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            var candidates = await db.Operations.FromSqlRaw("""
                SELECT * FROM "Operations" WHERE "State" = 'Running' ORDER BY "Sequence" FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken);
            var taken = candidates
                .Where(o => !runningHere.Contains(o.Id) && (o.LeaseExpired(now) || (startup && o.LeaseOwner == Owner)))
                .ToList();
            if (taken.Count == 0)
            {
                return (IReadOnlyList<StackOperation>)[];
            }

            foreach (var operation in taken)
            {
                operation.TakeOver(Owner, now, Lease);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return taken;
        });
    }
}
