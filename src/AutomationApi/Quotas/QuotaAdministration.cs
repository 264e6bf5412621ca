using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Quotas;

/// <summary>What an admin does with a team's quota: read it with its use, and replace its limits.</summary>
public sealed partial class QuotaAdministration(PlatformDbContext db, TeamQuotas quotas, TimeProvider time)
{
    /// <summary>The limits that apply to <paramref name="team"/> and what it uses; refused (400) for a name no team can have.</summary>
    public async Task<LifecycleResult<QuotaView>> ReadAsync(string team, CancellationToken cancellationToken) =>
        TeamName().IsMatch(team) ? await ViewAsync(team, cancellationToken) : BadTeam();

    /// <summary>
    /// Replaces <paramref name="team"/>'s limits with <paramref name="body"/>'s, recorded as set by <paramref name="actor"/>;
    /// refused (400 naming the field) for a bad team name or a negative limit.
    /// </summary>
    public async Task<LifecycleResult<QuotaView>> SetAsync(string team, QuotaRequest body, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
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
            return Refusals.Invalid(errors, "The quota is invalid");
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
            quota.UpdatedBy = actor;
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

        return await ViewAsync(team, cancellationToken);
    }

    /// <summary>The limits of <paramref name="body"/> in one line, for the audit log.</summary>
    public static string Describe(QuotaRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return string.Create(CultureInfo.InvariantCulture,
            $"dev {Limit(body.Dev)}, staging {Limit(body.Staging)}, prod {Limit(body.Prod)}, monthlyCost {Limit(body.MonthlyCost)}");
    }

    private async Task<QuotaView> ViewAsync(string team, CancellationToken cancellationToken)
    {
        var (limits, own) = await quotas.LimitsAsync(db, team, cancellationToken);
        return new QuotaView(team, own ? "team" : "default", limits, await TeamQuotas.UsageAsync(db, team, except: null, cancellationToken));
    }

    private static string Limit<T>(T? value)
        where T : struct, IFormattable => value is { } v ? v.ToString(null, CultureInfo.InvariantCulture) : "unlimited";

    private static Microsoft.AspNetCore.Http.HttpValidationProblemDetails BadTeam() => Refusals.Field(
        "team", "Name the team: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (as in metadata.team).");

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex TeamName();
}
