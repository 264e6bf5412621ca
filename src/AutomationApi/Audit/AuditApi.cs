using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;

namespace Platform.AutomationApi.Audit;

/// <summary>An audit entry as <c>GET /v1/audit</c> lists it.</summary>
/// <param name="Sequence">Its position in the log.</param>
/// <param name="At">When it happened.</param>
/// <param name="Actor">Who (<c>key:&lt;id&gt;</c>, <c>oidc:&lt;subject&gt;</c>); null for an unauthenticated request.</param>
/// <param name="Team">The caller's team (for an operation outcome, the environment's).</param>
/// <param name="Role">The caller's role.</param>
/// <param name="Action">What, e.g. <c>environment.create</c>, <c>key.revoke</c>, <c>operation.succeeded</c>.</param>
/// <param name="Environment">The environment it concerns.</param>
/// <param name="OperationId">The operation it queued or concerns.</param>
/// <param name="RequestId">The request's id.</param>
/// <param name="IdempotencyKey">The request's Idempotency-Key.</param>
/// <param name="Result">The HTTP status code, or the operation's final state.</param>
/// <param name="Detail">A short detail.</param>
public sealed record AuditEntryView(
    long Sequence, DateTimeOffset At, string? Actor, string? Team, string? Role, string Action, string? Environment, string? OperationId,
    string? RequestId, string? IdempotencyKey, string Result, string? Detail);

/// <summary><c>GET /v1/audit</c> (admins): the audit log, newest first, filtered, a page at a time.</summary>
public static class AuditApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/v1/audit", ListAudit).WithTags("Audit").WithName("ListAudit").RequireAuthorization(PlatformPolicies.Admin)
            .ProducesValidationProblem()
            .WithSummary("Read the audit log, newest first")
            .WithDescription("Every mutating request (POST, PUT, PATCH, DELETE under /v1, refused ones included, with the answer's status as result) " +
                             "and every operation outcome (operation.succeeded, .failed, .cancelled, .interrupted), append-only and free of secrets. " +
                             "Filters: team, actor, action (exact, or a prefix ending in '.' such as 'operation.'), environment, since and until " +
                             "(ISO 8601; since inclusive, until exclusive). Keyset-paged: pass nextCursor as cursor for the next page; limit 1-200 " +
                             "(default Platform:DefaultPageSize). Admins only.");
        return app;
    }

    /// <summary>Read the audit log, newest first.</summary>
    /// <param name="team">Only entries of this team.</param>
    /// <param name="actor">Only entries of this actor.</param>
    /// <param name="action">Only this action, or every action under a prefix ending in '.'.</param>
    /// <param name="environment">Only entries about this environment.</param>
    /// <param name="since">Only entries at or after this time.</param>
    /// <param name="until">Only entries before this time.</param>
    /// <param name="cursor">Where the previous page ended.</param>
    /// <param name="limit">Page size, 1-200.</param>
    /// <param name="audit">The audit log's reader.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<Page<AuditEntryView>>, ValidationProblem>> ListAudit(
        string? team, string? actor, string? action, string? environment, DateTimeOffset? since, DateTimeOffset? until, string? cursor, int? limit,
        AuditQuery audit, CancellationToken cancellationToken)
    {
        var page = await audit.PageAsync(new AuditFilter(team, actor, action, environment, since, until), cursor, limit, cancellationToken);
        return page.Value is { } found ? TypedResults.Ok(found) : LifecycleResults.Validation((HttpValidationProblemDetails)page.Problem!);
    }
}
