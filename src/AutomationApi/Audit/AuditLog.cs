using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Audit;

/// <summary>
/// Writes the audit log. Operation outcomes are staged by the unit of work that applies them
/// (<see cref="StageOutcomes"/>, called from <see cref="PlatformDbContext"/>'s save), so an outcome and its entry commit
/// together whichever code path finished the operation; requests are written by <see cref="AuditMiddleware"/>.
/// </summary>
public static class AuditLog
{
    /// <summary>The table.</summary>
    public const string Table = "AuditLog";

    /// <summary>The longest detail kept (longer ones are cut).</summary>
    public const int MaxDetailLength = 300;

    /// <summary>The longest idempotency key kept (the API refuses longer ones).</summary>
    public const int MaxIdempotencyKeyLength = Apis.IdempotencyFilter.MaxKeyLength;

    /// <summary>
    /// Stages an <c>operation.&lt;state&gt;</c> entry for every operation in <paramref name="db"/>'s unit of work that is
    /// reaching a final state (succeeded, failed, cancelled, interrupted) in this save, once, timed by its <see cref="StackOperation.FinishedAt"/>.
    /// </summary>
    public static void StageOutcomes(PlatformDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        List<AuditEntry>? staged = null;
        // A snapshot: adding entries while enumerating the tracker would invalidate the enumeration.
        foreach (var entry in db.ChangeTracker.Entries<StackOperation>().ToList())
        {
            var operation = entry.Entity;
            if (!operation.IsFinished || entry.State is not (EntityState.Added or EntityState.Modified) ||
                (entry.State == EntityState.Modified && StackOperation.IsFinal(entry.Property(o => o.State).OriginalValue)))
            {
                continue;
            }

            var action = Action(operation.State);
            staged ??= [.. db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];
            if (staged.Any(a => a.OperationId == operation.Id && a.Action == action))
            {
                continue; // a save retried in the same unit of work
            }

            var environment = db.ChangeTracker.Entries<EnvironmentRecord>().Select(e => e.Entity).FirstOrDefault(e => e.Id == operation.EnvironmentId);
            var audit = new AuditEntry
            {
                At = operation.FinishedAt ?? operation.CreatedAt, // set by Finish, with the service's clock
                Actor = operation.Actor,
                Team = environment?.Team,
                Action = action,
                Environment = operation.EnvironmentName,
                OperationId = operation.Id,
                Result = Name(operation.State),
                Detail = Cut($"{Name(operation.Kind)} by {operation.Origin}" + (operation.ErrorCode is { } code ? $": {code}" : "")),
            };
            db.Add(audit);
            staged.Add(audit);
        }
    }

    /// <summary>The action of an operation reaching <paramref name="state"/>: <c>operation.succeeded</c>, ...</summary>
    public static string Action(OperationState state) => "operation." + Name(state);

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="length"/> characters.</summary>
    public static string? Cut(string? text, int length = MaxDetailLength) =>
        text is null || text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Name<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>SQLite triggers that refuse changing or deleting audit entries (applied by the AuditLog migration, one statement each).</summary>
    public static readonly IReadOnlyList<string> SqliteAppendOnly =
    [
        $"CREATE TRIGGER \"{Table}_no_update\" BEFORE UPDATE ON \"{Table}\" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
        $"CREATE TRIGGER \"{Table}_no_delete\" BEFORE DELETE ON \"{Table}\" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    ];

    /// <summary>PostgreSQL triggers that refuse changing, deleting or truncating audit entries (applied by the AuditLog migration).</summary>
    public static readonly IReadOnlyList<string> PostgresAppendOnly =
    [
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;",
        $"CREATE TRIGGER \"{Table}_no_change\" BEFORE UPDATE OR DELETE ON \"{Table}\" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();",
        $"CREATE TRIGGER \"{Table}_no_truncate\" BEFORE TRUNCATE ON \"{Table}\" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();",
    ];

    /// <summary>What the PostgreSQL migration's <c>Down</c> removes after the table (its triggers go with it).</summary>
    public const string PostgresDropAppendOnly = "DROP FUNCTION IF EXISTS audit_log_append_only();";
}
