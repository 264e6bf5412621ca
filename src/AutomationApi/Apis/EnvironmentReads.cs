using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// The environment reads, made cheap (issue 14): one query per request that loads only the columns a response shows
/// (never the encrypted spec text), parts stored ready to serve, and list pages that seek an index instead of sorting
/// every row.
/// </summary>
internal static class EnvironmentReads
{
    // Compiled once per provider's context type (a compiled query is bound to one model, and tests run both in one
    // process): a read skips EF Core's expression-tree work and query cache lookup.
    private static readonly ConcurrentDictionary<Type, Func<PlatformDbContext, string, CancellationToken, Task<Row?>>> ReadByNameQueries = new();

    private static Func<PlatformDbContext, string, CancellationToken, Task<Row?>> ReadByName(PlatformDbContext db) =>
        ReadByNameQueries.GetOrAdd(db.GetType(), _ => EF.CompileAsyncQuery(
            (PlatformDbContext context, string name, CancellationToken cancellationToken) => (
                    from e in context.Environments.AsNoTracking()
                    where e.Name == name
                    join o in context.Operations.AsNoTracking() on e.LastOperationId equals o.Id into last
                    from o in last.DefaultIfEmpty()
                    orderby e.Status == EnvironmentStatus.Destroyed, e.Id descending
                    select new Row(
                        e.Id, e.Name, e.Team, e.Tier, e.Target, e.Status, e.CreatedAt, e.UpdatedAt, e.ExpiresAt, e.DestroyedAt,
                        e.SpecViewJson, e.PlanSummaryJson, e.OutputsJson, e.CostJson,
                        o == null ? null : new LastOperation(
                            o.Id, o.EnvironmentName, o.Kind, o.State, o.Origin, o.CreatedAt, o.StartedAt, o.FinishedAt, o.Attempts,
                            o.ErrorCode, o.ErrorMessage, o.ResultJson, o.RecoveryOf, o.RetriedAs, o.Force)))
                .FirstOrDefault()));

    /// <summary>
    /// <c>GET /v1/environments/{name}</c>'s answer, JSON ready to send, with the team and tier to authorize it against:
    /// from <paramref name="cache"/> while fresh, else read (<see cref="DescribeAsync"/>, once for every request missing
    /// it at the same time, on a context of its own) and kept. <see langword="null"/> when the name was never used.
    /// </summary>
    public static ValueTask<EnvironmentReadCache.Entry?> ReadAsync(
        IServiceProvider services, EnvironmentReadCache cache, string name, CancellationToken cancellationToken)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        var protector = services.GetRequiredService<SpecProtector>();
        var json = JsonOptions(services);
        return cache.GetAsync(name, async token =>
        {
            await using var db = await contexts.CreateDbContextAsync(token);
            return await DescribeAsync(db, protector, name, token) is { } response
                ? new EnvironmentReadCache.Entry(new EnvironmentScope(response.Team, response.Tier), JsonSerializer.SerializeToUtf8Bytes(response, json), 0)
                : null;
        }, cancellationToken);
    }

    /// <summary>
    /// <c>GET /v1/environments</c>'s page for <paramref name="filter"/> (which already limits a caller to its team),
    /// JSON ready to send: from <paramref name="cache"/> while fresh, else read (<see cref="PageAsync"/>, once for every
    /// request missing it at the same time) and kept. No filter (a caller asking for another team's) is an empty page.
    /// </summary>
    public static async ValueTask<byte[]> PageJsonAsync(IServiceProvider services, EnvironmentReadCache cache, EnvironmentFilter? filter, CancellationToken cancellationToken)
    {
        var json = JsonOptions(services);
        if (filter is null)
        {
            return JsonSerializer.SerializeToUtf8Bytes(new Page<EnvironmentSummary>([], null), json);
        }

        var contexts = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        var page = await cache.GetPageAsync(filter.CacheKey, async token =>
        {
            await using var db = await contexts.CreateDbContextAsync(token);
            return new EnvironmentReadCache.Entry(null, JsonSerializer.SerializeToUtf8Bytes(await PageAsync(db, filter, token), json), 0);
        }, cancellationToken);
        return page!.Json;
    }

    // The options responses are written with (Ok<T> uses the same), so a cached body is byte for byte what it replaces.
    private static JsonSerializerOptions JsonOptions(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    /// <summary>
    /// An environment by name as <c>GET /v1/environments/{name}</c> shows it: the live one, else the latest destroyed
    /// one; <see langword="null"/> when the name was never used. One query, the last operation joined in.
    /// </summary>
    public static async Task<EnvironmentResponse?> DescribeAsync(PlatformDbContext db, SpecProtector protector, string name, CancellationToken cancellationToken)
    {
        var row = await ReadByName(db)(db, name, cancellationToken);
        if (row is null)
        {
            return null;
        }

        // Rows stored before the view was kept with the spec are read the old way: decrypt and parse.
        var specView = row.SpecViewJson ?? await LegacyViewAsync(db, protector, row.Id, cancellationToken);
        return new EnvironmentResponse(
            row.Name, row.Team, row.Tier, row.Target, row.Status, row.CreatedAt, row.UpdatedAt, row.ExpiresAt, row.DestroyedAt,
            Element(specView), Element(row.PlanSummaryJson), Element(row.OutputsJson), Element(row.CostJson),
            row.Last?.ToResponse());
    }

    /// <summary>
    /// A page of environments in (name, id) order after the filter's cursor: the database seeks the
    /// <c>(Name, Id)</c> index (or <c>(Team, Name, Id)</c> with a team) to the cursor and reads a page + 1
    /// rows, so a page costs the same however many environments are stored; only the listed columns are read.
    /// </summary>
    public static async Task<Page<EnvironmentSummary>> PageAsync(PlatformDbContext db, EnvironmentFilter filter, CancellationToken cancellationToken)
    {
        var (team, tier, status, after, size) = filter;
        IQueryable<EnvironmentRecord> query = db.Environments.AsNoTracking();
        if (team is not null)
        {
            query = query.Where(e => e.Team == team);
        }

        if (tier is { } wantedTier)
        {
            query = query.Where(e => e.Tier == wantedTier);
        }

        if (status is { } wantedStatus)
        {
            query = query.Where(e => e.Status == wantedStatus);
        }

        if (after is var (afterName, afterId))
        {
            // "Name >= cursor" is the index range the seek starts from; the rest settles ties on the name.
            query = query.Where(e => string.Compare(e.Name, afterName) >= 0 &&
                                     (string.Compare(e.Name, afterName) > 0 || string.Compare(e.Id, afterId) > 0));
        }

        var rows = await query.OrderBy(e => e.Name).ThenBy(e => e.Id).Take(size + 1)
            .Select(e => new ListRow(e.Id, new EnvironmentSummary(e.Name, e.Team, e.Tier, e.Target, e.Status, e.CreatedAt, e.ExpiresAt, e.LastOperationId)))
            .ToListAsync(cancellationToken);
        var next = rows.Count > size ? EnvironmentsApi.Cursor.Encode(rows[size - 1].Summary.Name, rows[size - 1].Id) : null;
        return new Page<EnvironmentSummary>([.. rows.Take(size).Select(r => r.Summary)], next);
    }

    private static async Task<string?> LegacyViewAsync(PlatformDbContext db, SpecProtector protector, string id, CancellationToken cancellationToken)
    {
        var text = await db.Environments.AsNoTracking().Where(e => e.Id == id).Select(e => e.SpecText).FirstOrDefaultAsync(cancellationToken);
        return text is not null && EnvironmentCompiler.Parse(protector.Unprotect(text)).Spec is { } spec ? EnvironmentRecord.ViewOf(spec) : null;
    }

    // Parsed as an element (immutable, written out as it is) rather than a mutable node tree.
    private static JsonElement? Element(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);

    private sealed record ListRow(string Id, EnvironmentSummary Summary);

    private sealed record Row(
        string Id, string Name, string Team, Tier Tier, string Target, EnvironmentStatus Status,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? DestroyedAt,
        string? SpecViewJson, string? PlanSummaryJson, string? OutputsJson, string? CostJson, LastOperation? Last);

    // The columns of an operation a response shows (not its encrypted spec text).
    private sealed record LastOperation(
        string Id, string EnvironmentName, OperationKind Kind, OperationState State, string Origin,
        DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Attempts,
        string? ErrorCode, string? ErrorMessage, string? ResultJson, string? RecoveryOf, string? RetriedAs, bool Force)
    {
        public OperationResponse ToResponse() => OperationResponse.From(new StackOperation
        {
            Id = Id,
            EnvironmentName = EnvironmentName,
            EnvironmentId = "",
            Kind = Kind,
            State = State,
            Origin = Origin,
            CreatedAt = CreatedAt,
            StartedAt = StartedAt,
            FinishedAt = FinishedAt,
            Attempts = Attempts,
            ErrorCode = ErrorCode,
            ErrorMessage = ErrorMessage,
            ResultJson = ResultJson,
            RecoveryOf = RecoveryOf,
            RetriedAs = RetriedAs,
            Force = Force,
        });
    }
}
