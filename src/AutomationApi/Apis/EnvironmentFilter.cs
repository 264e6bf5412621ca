using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Apis;

/// <summary>What <c>GET /v1/environments</c> lists: a team's (the caller's own unless an admin), tier and status, a page after a cursor.</summary>
/// <param name="Team">The team, or every team (admins only).</param>
/// <param name="Tier">Only this tier.</param>
/// <param name="Status">Only this status.</param>
/// <param name="After">The last item of the previous page (its name and id).</param>
/// <param name="PageSize">Items per page, 1-200.</param>
internal sealed record EnvironmentFilter(string? Team, Tier? Tier, EnvironmentStatus? Status, (string Name, string Id)? After, int PageSize)
{
    /// <summary>
    /// The filter a list request asks for, as <paramref name="user"/> may see it; or the validation problem naming the
    /// parameter at fault; or neither when the caller asked for another team's (nothing is visible, as if it had none).
    /// </summary>
    public static (EnvironmentFilter? Filter, ValidationProblem? Invalid) Read(
        ClaimsPrincipal user, string? team, string? tier, string? status, string? cursor, int pageSize)
    {
        if (pageSize is < 1 or > 200)
        {
            return (null, Invalid("limit", "The page size must be between 1 and 200."));
        }

        // Callers other than admins see their own team only: another team's filter finds nothing, as if it had none.
        if (!user.IsAdmin())
        {
            if (team is not null && !string.Equals(team, user.TeamOf(), StringComparison.Ordinal))
            {
                return (null, null);
            }

            team = user.TeamOf() ?? "";
        }

        Tier? wantedTier = null;
        if (tier is not null)
        {
            if (!Enum.TryParse<Tier>(tier, ignoreCase: true, out var parsedTier) || !Enum.IsDefined(parsedTier))
            {
                return (null, Invalid("tier", $"Unknown tier '{tier}'. Use one of: {string.Join(", ", Enum.GetNames<Tier>().Select(n => n.ToLowerInvariant()))}."));
            }

            wantedTier = parsedTier;
        }

        EnvironmentStatus? wantedStatus = null;
        if (status is not null)
        {
            if (!Enum.TryParse<EnvironmentStatus>(status, ignoreCase: true, out var parsedStatus) || !Enum.IsDefined(parsedStatus))
            {
                return (null, Invalid("status", $"Unknown status '{status}'. Use one of: {string.Join(", ", Enum.GetNames<EnvironmentStatus>().Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName))}."));
            }

            wantedStatus = parsedStatus;
        }

        (string, string)? after = null;
        if (cursor is not null)
        {
            if (!EnvironmentsApi.Cursor.TryDecode(cursor, out var afterName, out var afterId))
            {
                return (null, Invalid("cursor", "The cursor is not one this service issued; start again without it."));
            }

            after = (afterName, afterId);
        }

        return (new EnvironmentFilter(team, wantedTier, wantedStatus, after, pageSize), null);
    }

    /// <summary>What identifies this page in the read cache: every part, length-prefixed so no two filters share a key.</summary>
    public string CacheKey
    {
        get
        {
            static string Part(string? value) => value is null ? "-" : $"{value.Length}:{value}";
            return string.Join('|', Part(Team), Part(Tier?.ToString()), Part(Status?.ToString()), Part(After?.Name), Part(After?.Id),
                PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static ValidationProblem Invalid(string parameter, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [parameter] = [message] });
}
