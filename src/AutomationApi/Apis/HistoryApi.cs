using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.Planning;
using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Apis;

/// <summary>One entry of an environment's history: who asked for what, how it ended, how long it took, what it changed.</summary>
/// <param name="Id">The operation (<c>/v1/operations/{id}</c> has its events).</param>
/// <param name="Kind">What it did.</param>
/// <param name="State">Where it is or how it ended.</param>
/// <param name="Outcome">One word for how it ended: <c>succeeded</c>, or the error code (e.g. <c>resource-error</c>); <see langword="null"/> while it is queued or running.</param>
/// <param name="Origin">What asked for it: <c>api</c>, <c>reaper</c> (expiry), <c>recovery</c>, <c>promote:&lt;env&gt;</c>, <c>rollback:&lt;id&gt;</c>.</param>
/// <param name="Actor">
/// The caller whose request queued it (<c>key:&lt;id&gt;</c> or <c>oidc:&lt;subject&gt;</c>; a recovery re-run keeps the
/// interrupted operation's); <see langword="null"/> for work the service queued itself (see <see cref="Origin"/>) and
/// for operations queued before requests were authenticated.
/// </param>
/// <param name="CreatedAt">When it was queued.</param>
/// <param name="StartedAt">When the engine started.</param>
/// <param name="FinishedAt">When it finished.</param>
/// <param name="Duration">From start to finish in the spec's duration form (<c>95s</c>, <c>12m</c>); <see langword="null"/> until it finished.</param>
/// <param name="Force">Whether a destroy was forced past protected resources.</param>
/// <param name="Error">Why it did not succeed.</param>
/// <param name="PlanDiff">
/// For a create or update, how its plan differs from the one deployed before it (resource by resource); for a
/// destroy, every resource it removed; for a preview with a candidate spec, the diff it previewed. <see langword="null"/>
/// for refreshes, and when a spec no longer compiles against today's targets.
/// </param>
public sealed record HistoryEntry(
    string Id,
    OperationKind Kind,
    OperationState State,
    string? Outcome,
    string Origin,
    string? Actor,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Duration,
    bool Force,
    OperationError? Error,
    PlanDiff? PlanDiff);

/// <summary><c>GET /v1/environments/{name}/operations</c>: an environment's history, newest first, a page at a time.</summary>
public static class HistoryApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/environments/{name}/operations", GetHistory).WithTags("Environments").WithName("GetEnvironmentHistory")
            .WithSummary("List an environment's operations, newest first")
            .WithDescription("Every operation of every incarnation of the environment name, newest first, with what asked for it, its " +
                             "outcome, its duration and the plan diff it applied. Cursor-paged: pass nextCursor as cursor for the next page.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireEnvironmentAccess();
        return app;
    }

    /// <summary>GET /v1/environments/{name}/operations.</summary>
    /// <param name="name">The environment.</param>
    /// <param name="cursor">Where the previous page ended.</param>
    /// <param name="limit">Page size, 1-200 (default <c>Platform:DefaultPageSize</c>).</param>
    /// <param name="db">The store.</param>
    /// <param name="environments">The request's read of the environment.</param>
    /// <param name="compiler">Compiles stored specs for their plan diffs.</param>
    /// <param name="protector">Decrypts stored specs.</param>
    /// <param name="options">Paging defaults.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<Page<HistoryEntry>>, ValidationProblem, ProblemHttpResult>> GetHistory(
        string name, string? cursor, int? limit, PlatformDbContext db, EnvironmentLookup environments, EnvironmentCompiler compiler, SpecProtector protector,
        IOptions<PlatformOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(environments);
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(options);
        var pageSize = limit ?? options.Value.DefaultPageSize;
        if (pageSize is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The page size must be between 1 and 200."] });
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this service issued; start again without it."] });
            }

            before = sequence;
        }

        // The route's access filter read the environment already: the lookup answers from that read.
        if (await environments.FindAsync(name, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Environment not found",
                detail: $"There is no environment named '{name}'.");
        }

        var query = db.Operations.AsNoTracking().Where(o => o.EnvironmentName == name);
        if (before is { } last)
        {
            query = query.Where(o => o.Sequence < last);
        }

        var page = await query.OrderByDescending(o => o.Sequence).Take(pageSize + 1).ToListAsync(cancellationToken);
        var items = page.Take(pageSize).ToList();

        // The plan each deployment replaced: the latest successful create or update of the same incarnation before it.
        var incarnations = items.Select(o => o.EnvironmentId).Distinct().ToList();
        var deployments = await db.Operations.AsNoTracking()
            .Where(o => incarnations.Contains(o.EnvironmentId) && o.State == OperationState.Succeeded &&
                        (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update))
            .OrderBy(o => o.Sequence)
            .Select(o => new { o.Sequence, o.EnvironmentId, o.SpecText })
            .ToListAsync(cancellationToken);
        var plans = new Dictionary<long, ResourcePlan?>();
        ResourcePlan? PlanOf(long sequence, string? specText)
        {
            if (!plans.TryGetValue(sequence, out var plan))
            {
                plan = specText is null ? null : compiler.CompileDeployed(protector.Unprotect(specText) ?? "").Environment?.Plan;
                plans[sequence] = plan;
            }

            return plan;
        }

        ResourcePlan? DeployedBefore(StackOperation operation) =>
            deployments.LastOrDefault(d => d.EnvironmentId == operation.EnvironmentId && d.Sequence < operation.Sequence) is { } previous
                ? PlanOf(previous.Sequence, previous.SpecText)
                : null;

        var entries = items.Select(o => new HistoryEntry(
            o.Id, o.Kind, o.State,
            o.State == OperationState.Succeeded ? "succeeded" : o.IsFinished ? o.ErrorCode ?? o.State.ToString().ToLowerInvariant() : null,
            o.Origin,
            o.Actor,
            o.CreatedAt, o.StartedAt, o.FinishedAt,
            o.StartedAt is { } started && o.FinishedAt is { } finished ? SpecParser.FormatDuration(finished - started) : null,
            o.Force,
            o.ErrorCode is { } code ? new OperationError(code, o.ErrorMessage ?? "") : null,
            o.Kind switch
            {
                OperationKind.Create or OperationKind.Update when PlanOf(o.Sequence, o.SpecText) is { } plan => PlanDiff.Between(DeployedBefore(o), plan),
                OperationKind.Preview when o.SpecText is not null && PlanOf(o.Sequence, o.SpecText) is { } plan => PlanDiff.Between(DeployedBefore(o), plan),
                OperationKind.Destroy when DeployedBefore(o) is { } plan => new PlanDiff([], [.. plan.Resources.Select(r => $"{r.Name} ({r.Type})")], []),
                _ => null,
            })).ToList();
        var next = page.Count > pageSize ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<HistoryEntry>(entries, next));
    }
}
