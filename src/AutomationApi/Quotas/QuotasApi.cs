using System.Security.Claims;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Lifecycle;

namespace Platform.AutomationApi.Quotas;

/// <summary>Body of <c>PUT /v1/quotas/{team}</c>: each limit, or <see langword="null"/> (absent) for unlimited.</summary>
/// <param name="Dev">Live <c>dev</c> environments at most (0 or more).</param>
/// <param name="Staging">Live <c>staging</c> environments at most.</param>
/// <param name="Prod">Live <c>prod</c> environments at most.</param>
/// <param name="MonthlyCost">Total estimated monthly cost of the team's live environments at most (USD, 0 or more).</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record QuotaRequest(int? Dev = null, int? Staging = null, int? Prod = null, decimal? MonthlyCost = null);

/// <summary>A team's quota and what it uses.</summary>
/// <param name="Team">The team.</param>
/// <param name="Source"><c>team</c> when an admin set this team's quota, <c>default</c> when the configured defaults apply (<c>Platform:Quotas:Default</c>).</param>
/// <param name="Limits">The limits (null: unlimited).</param>
/// <param name="Usage">What the team uses now.</param>
public sealed record QuotaView(string Team, string Source, QuotaLimits Limits, QuotaUsage Usage);

/// <summary><c>/v1/quotas/{team}</c> (admins): set and read a team's quota.</summary>
public static class QuotasApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/v1/quotas").WithTags("Quotas").RequireAuthorization(PlatformPolicies.Admin);
        api.MapGet("/{team}", GetQuota).WithName("GetQuota").ProducesValidationProblem()
            .WithSummary("Read a team's quota and its use")
            .WithDescription("The limits that apply to the team (its own, or the configured defaults Platform:Quotas:Default when none was set; " +
                             "null is unlimited) and what it uses now: live environments per tier and their estimated monthly cost. Admins only.");
        api.MapPut("/{team}", SetQuota).WithName("SetQuota").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Set a team's quota")
            .WithDescription("Replaces the team's limits: live environments per tier (dev, staging, prod) and total estimated monthly cost " +
                             "(monthlyCost, USD); a limit left out is unlimited. A create, or an update that moves an environment to another tier " +
                             "or raises its estimated cost, that would pass a limit is answered 422 naming the limit, the current use and the " +
                             "request's share. Environments already over a lowered limit stay. Admins only.");
        return app;
    }

    /// <summary>Read a team's quota and its use.</summary>
    /// <param name="team">The team.</param>
    /// <param name="quotas">The quotas' administration.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<QuotaView>, ValidationProblem>> GetQuota(string team, QuotaAdministration quotas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        return Map(await quotas.ReadAsync(team, cancellationToken));
    }

    /// <summary>Set a team's quota.</summary>
    /// <param name="team">The team.</param>
    /// <param name="body">The limits.</param>
    /// <param name="user">The caller.</param>
    /// <param name="quotas">The quotas' administration.</param>
    /// <param name="audit">The request's audit entry.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<QuotaView>, ValidationProblem>> SetQuota(
        string team, QuotaRequest body, ClaimsPrincipal user, QuotaAdministration quotas, Audit.RequestAudit audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        ArgumentNullException.ThrowIfNull(audit);
        var set = await quotas.SetAsync(team, body, user.ActorOf() ?? "unknown", cancellationToken);
        if (set.Value is not null)
        {
            audit.Detail = QuotaAdministration.Describe(body);
        }

        return Map(set);
    }

    private static Results<Ok<QuotaView>, ValidationProblem> Map(LifecycleResult<QuotaView> result) =>
        result.Value is { } view ? TypedResults.Ok(view) : LifecycleResults.Validation((HttpValidationProblemDetails)result.Problem!);
}

/// <summary>
/// Answers a <see cref="QuotaExceededException"/> that reached the pipeline with its <c>422</c> problem (the lifecycle
/// commands answer the ones they expect themselves).
/// </summary>
internal sealed partial class QuotaProblems(IProblemDetailsService problems, ILogger<QuotaProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not QuotaExceededException exceeded)
        {
            return false;
        }

        LogRefused(logger, exceeded.Team, exceeded.Quota, httpContext.TraceIdentifier);
        httpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = exceeded.ToProblem() });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a request of team {Team}: it would pass its {Quota} quota (request {RequestId})")]
    private static partial void LogRefused(ILogger logger, string team, string quota, string requestId);
}
