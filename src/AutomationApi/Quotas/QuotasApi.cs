using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Quotas;

/// <summary>Body of <c>PUT /v1/quotas/{team}</c>: each limit, or <see langword="null"/> (absent) for unlimited.</summary>
/// <param name="Dev">Live <c>dev</c> environments at most (0 or more).</param>
/// <param name="Staging">Live <c>staging</c> environments at most.</param>
/// <param name="Prod">Live <c>prod</c> environments at most.</param>
/// <param name="MonthlyCost">Total estimated monthly cost of the team's live environments at most (USD, 0 or more).</param>
public sealed record QuotaRequest(int? Dev = null, int? Staging = null, int? Prod = null, decimal? MonthlyCost = null);

/// <summary>A team's quota and what it uses.</summary>
/// <param name="Team">The team.</param>
/// <param name="Source"><c>team</c> when an admin set this team's quota, <c>default</c> when the configured defaults apply (<c>Platform:Quotas:Default</c>).</param>
/// <param name="Limits">The limits (null: unlimited).</param>
/// <param name="Usage">What the team uses now.</param>
public sealed record QuotaView(string Team, string Source, QuotaLimits Limits, QuotaUsage Usage);

/// <summary><c>/v1/quotas/{team}</c> (admins): set and read a team's quota.</summary>
public static partial class QuotasApi
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
            .WithSummary("Set a team's quota")
            .WithDescription("Replaces the team's limits: live environments per tier (dev, staging, prod) and total estimated monthly cost " +
                             "(monthlyCost, USD); a limit left out is unlimited. A create, or an update that moves an environment to another tier " +
                             "or raises its estimated cost, that would pass a limit is answered 422 naming the limit, the current use and the " +
                             "request's share. Environments already over a lowered limit stay. Admins only.");
        return app;
    }

    /// <summary>Read a team's quota and its use.</summary>
    /// <param name="team">The team.</param>
    /// <param name="db">The store.</param>
    /// <param name="quotas">The quotas.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<QuotaView>, ValidationProblem>> GetQuota(string team, PlatformDbContext db, TeamQuotas quotas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        if (!TeamName().IsMatch(team))
        {
            return BadTeam();
        }

        return TypedResults.Ok(await ViewAsync(team, db, quotas, cancellationToken));
    }

    /// <summary>Set a team's quota.</summary>
    /// <param name="team">The team.</param>
    /// <param name="body">The limits.</param>
    /// <param name="context">The request.</param>
    /// <param name="db">The store.</param>
    /// <param name="quotas">The quotas.</param>
    /// <param name="time">The clock.</param>
    /// <param name="audit">The request's audit entry.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<QuotaView>, ValidationProblem>> SetQuota(
        string team, QuotaRequest body, HttpContext context, PlatformDbContext db, TeamQuotas quotas, TimeProvider time, Audit.RequestAudit audit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(audit);
        if (!TeamName().IsMatch(team))
        {
            return BadTeam();
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, value) in new[] { ("dev", body.Dev), ("staging", body.Staging), ("prod", body.Prod) })
        {
            if (value < 0)
            {
                errors[field] = [$"A limit on live {field} environments is 0 or more; leave it out for unlimited."];
            }
        }

        if (body.MonthlyCost < 0)
        {
            errors["monthlyCost"] = ["The monthly cost limit is 0 or more (USD); leave it out for unlimited."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The quota is invalid");
        }

        for (var attempt = 0; ; attempt++)
        {
            var quota = await db.TeamQuotas.SingleOrDefaultAsync(q => q.Team == team, cancellationToken);
            if (quota is null)
            {
                quota = new TeamQuota { Team = team, UpdatedBy = "" };
                db.TeamQuotas.Add(quota);
            }

            (quota.Dev, quota.Staging, quota.Prod, quota.MonthlyCost) = (body.Dev, body.Staging, body.Prod, body.MonthlyCost);
            quota.UpdatedAt = time.GetUtcNow();
            quota.UpdatedBy = context.User.ActorOf() ?? "unknown";
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another admin set it first (the team's row was inserted meanwhile): this request's limits win.
                db.ChangeTracker.Clear();
            }
        }

        audit.Detail = string.Create(CultureInfo.InvariantCulture,
            $"dev {Limit(body.Dev)}, staging {Limit(body.Staging)}, prod {Limit(body.Prod)}, monthlyCost {Limit(body.MonthlyCost)}");
        return TypedResults.Ok(await ViewAsync(team, db, quotas, cancellationToken));
    }

    private static async Task<QuotaView> ViewAsync(string team, PlatformDbContext db, TeamQuotas quotas, CancellationToken cancellationToken)
    {
        var (limits, own) = await quotas.LimitsAsync(db, team, cancellationToken);
        return new QuotaView(team, own ? "team" : "default", limits, await TeamQuotas.UsageAsync(db, team, except: null, cancellationToken));
    }

    private static string Limit<T>(T? value)
        where T : struct, IFormattable => value is { } v ? v.ToString(null, CultureInfo.InvariantCulture) : "unlimited";

    private static ValidationProblem BadTeam() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["team"] = ["Name the team: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (as in metadata.team)."],
    });

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex TeamName();
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
