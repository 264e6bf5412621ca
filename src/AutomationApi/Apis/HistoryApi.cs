using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
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
    PlanDiff? PlanDiff)
{
    /// <summary>The entry of <paramref name="item"/>.</summary>
    /// <param name="item">An operation of the history and its plan diff.</param>
    public static HistoryEntry From(HistoryItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var o = item.Operation;
        return new HistoryEntry(
            o.Id, o.Kind, o.State,
            o.State == OperationState.Succeeded ? "succeeded" : o.IsFinished ? o.ErrorCode ?? o.State.ToString().ToLowerInvariant() : null,
            o.Origin,
            o.Actor,
            o.CreatedAt, o.StartedAt, o.FinishedAt,
            o.StartedAt is { } started && o.FinishedAt is { } finished ? SpecParser.FormatDuration(finished - started) : null,
            o.Force,
            o.ErrorCode is { } code ? new OperationError(code, o.ErrorMessage ?? "") : null,
            item.PlanDiff);
    }
}

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
    /// <param name="history">The environment's history.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<Page<HistoryEntry>>, ValidationProblem, ProblemHttpResult>> GetHistory(
        string name, string? cursor, int? limit, EnvironmentHistory history, CancellationToken cancellationToken)
    {
        var page = await history.PageAsync(name, cursor, limit, cancellationToken);
        return page switch
        {
            { Value: { } found } => TypedResults.Ok(new Page<HistoryEntry>([.. found.Items.Select(HistoryEntry.From)], found.NextCursor)),
            { Problem: HttpValidationProblemDetails invalid } => LifecycleResults.Validation(invalid),
            _ => TypedResults.Problem(page.Problem!),
        };
    }
}
