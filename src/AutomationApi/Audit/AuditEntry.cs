using Microsoft.EntityFrameworkCore;

namespace Platform.AutomationApi.Audit;

/// <summary>
/// One entry of the audit log: a mutating request (with its answer's status, refusals included) or an operation's
/// outcome. Append-only: every property is init-only, nothing in the service updates or deletes a row, and the
/// database refuses <c>UPDATE</c> and <c>DELETE</c> on the table (triggers added by the AuditLog migration). Never
/// holds a secret: no request bodies, keys, tokens or specs, only names, ids and outcomes.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>Position in the log (assigned by the database; the paging cursor).</summary>
    public long Sequence { get; init; }

    /// <summary>When it happened (the service's clock).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Who: <c>key:&lt;id&gt;</c> or <c>oidc:&lt;subject&gt;</c>; <see langword="null"/> for an unauthenticated request.</summary>
    public string? Actor { get; init; }

    /// <summary>The caller's team; for an operation outcome, the environment's team.</summary>
    public string? Team { get; init; }

    /// <summary>The caller's role (<see langword="null"/> for unauthenticated requests and operation outcomes).</summary>
    public string? Role { get; init; }

    /// <summary>What: <c>environment.create</c>, <c>key.revoke</c>, <c>operation.succeeded</c>, ...</summary>
    public required string Action { get; init; }

    /// <summary>The environment it concerns, when known.</summary>
    public string? Environment { get; init; }

    /// <summary>The operation it queued or concerns, when any.</summary>
    public string? OperationId { get; init; }

    /// <summary>The request's id (<c>HttpContext.TraceIdentifier</c>); <see langword="null"/> for an operation outcome.</summary>
    public string? RequestId { get; init; }

    /// <summary>The request's <c>Idempotency-Key</c>, when it sent one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>How it ended: the HTTP status code (<c>202</c>, <c>403</c>, ...) or the operation's state (<c>succeeded</c>, <c>failed</c>, ...).</summary>
    public required string Result { get; init; }

    /// <summary>A short, secret-free detail (an error code, a key's team and role, a quota's limits).</summary>
    public string? Detail { get; init; }

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<AuditEntry>(e =>
    {
        e.ToTable(AuditLog.Table);
        e.HasKey(x => x.Sequence);
        e.Property(x => x.Sequence).ValueGeneratedOnAdd();
        e.Property(x => x.Actor).HasMaxLength(300);
        e.Property(x => x.Team).HasMaxLength(100);
        e.Property(x => x.Role).HasMaxLength(20);
        e.Property(x => x.Action).HasMaxLength(100);
        e.Property(x => x.Environment).HasMaxLength(100);
        e.Property(x => x.OperationId).HasMaxLength(100);
        e.Property(x => x.RequestId).HasMaxLength(100);
        e.Property(x => x.IdempotencyKey).HasMaxLength(AuditLog.MaxIdempotencyKeyLength);
        e.Property(x => x.Result).HasMaxLength(40);
        e.Property(x => x.Detail).HasMaxLength(AuditLog.MaxDetailLength);
    });
}
