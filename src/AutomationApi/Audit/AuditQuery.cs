using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Audit;

/// <summary>Which audit entries to read; every filter left <see langword="null"/> matches all.</summary>
/// <param name="Team">Only entries of this team.</param>
/// <param name="Actor">Only entries of this actor.</param>
/// <param name="Action">Only this action, or every action under a prefix ending in '.' (such as <c>operation.</c>).</param>
/// <param name="Environment">Only entries about this environment.</param>
/// <param name="Since">Only entries at or after this time.</param>
/// <param name="Until">Only entries before this time.</param>
public sealed record AuditFilter(string? Team, string? Actor, string? Action, string? Environment, DateTimeOffset? Since, DateTimeOffset? Until);

/// <summary>Reads the audit log, newest first, filtered, a page at a time (keyset-paged by an opaque cursor).</summary>
public sealed class AuditQuery(PlatformDbContext db, IOptions<PlatformOptions> options)
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 200;

    private const string CursorPrefix = "audit:";

    /// <summary>
    /// The entries matching <paramref name="filter"/> before <paramref name="cursor"/> (from the newest when
    /// <see langword="null"/>), at most <paramref name="limit"/> (<see cref="PlatformOptions.DefaultPageSize"/> when
    /// <see langword="null"/>). Refused (400 naming the field) when the limit or the cursor is invalid.
    /// </summary>
    public async Task<LifecycleResult<Page<AuditEntryView>>> PageAsync(AuditFilter filter, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var pageSize = limit ?? options.Value.DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Refusals.Field("limit", $"The page size must be between 1 and {MaxPageSize}.");
        }

        long? after = null;
        if (cursor is not null)
        {
            if (!TryDecode(cursor, out var sequence))
            {
                return Refusals.Field("cursor", "The cursor is not one this service issued; start again without it.");
            }

            after = sequence;
        }

        var query = Matching(db.AuditLog.AsNoTracking(), filter);
        if (after is { } last)
        {
            query = query.Where(e => e.Sequence < last);
        }

        var rows = await query.OrderByDescending(e => e.Sequence).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(e => new AuditEntryView(
            e.Sequence, e.At, e.Actor, e.Team, e.Role, e.Action, e.Environment, e.OperationId, e.RequestId, e.IdempotencyKey, e.Result, e.Detail)).ToList();
        return new Page<AuditEntryView>(page, rows.Count > pageSize ? Encode(page[^1].Sequence) : null);
    }

    private static IQueryable<AuditEntry> Matching(IQueryable<AuditEntry> query, AuditFilter filter)
    {
        if (filter.Team is { } team)
        {
            query = query.Where(e => e.Team == team);
        }

        if (filter.Actor is { } actor)
        {
            query = query.Where(e => e.Actor == actor);
        }

        if (filter.Action is { } action)
        {
            query = action.EndsWith('.') ? query.Where(e => e.Action.StartsWith(action)) : query.Where(e => e.Action == action);
        }

        if (filter.Environment is { } environment)
        {
            query = query.Where(e => e.Environment == environment);
        }

        if (filter.Since is { } from)
        {
            var utc = from.ToUniversalTime();
            query = query.Where(e => e.At >= utc);
        }

        if (filter.Until is { } to)
        {
            var utc = to.ToUniversalTime();
            query = query.Where(e => e.At < utc);
        }

        return query;
    }

    private static string Encode(long sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorPrefix + sequence.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecode(string cursor, out long sequence)
    {
        sequence = 0;
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return text.StartsWith(CursorPrefix, StringComparison.Ordinal) &&
                   long.TryParse(text.AsSpan(CursorPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
