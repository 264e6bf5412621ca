using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Notifications;

/// <summary>
/// Registers and removes webhooks: who may (a team its own, from the developer role up; an admin any team's, and only
/// an admin lets one reach private addresses), what a registration must name, and its signing secret.
/// </summary>
public sealed class WebhookRegistrations(
    PlatformDbContext db, SpecProtector protector, IWebhookHostResolver resolver, TimeProvider time, IOptions<WebhookOptions> options)
{
    /// <summary>
    /// Registers <paramref name="body"/> for <paramref name="user"/>: the webhook with its secret (shown this once), or
    /// why not (403 naming what this caller may not do, 400 naming each invalid field).
    /// </summary>
    public async Task<LifecycleResult<WebhookResponse>> RegisterAsync(WebhookRequest body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(user);
        if (!user.IsAdmin())
        {
            // A team registers its own webhooks; only an admin registers for any team or lets one reach private addresses.
            body = body with { Team = string.IsNullOrWhiteSpace(body.Team) ? user.TeamOf() : body.Team };
            if (Refusal(user, body.Team!, body.AllowPrivateNetwork) is { } refused)
            {
                return refused;
            }
        }

        var events = body.Events is null or { Count: 0 } ? NotificationEvents.All : body.Events;
        var (url, errors) = await ValidateAsync(body, events, cancellationToken);
        if (errors.Count > 0)
        {
            return Refusals.Invalid(errors, "The webhook is invalid");
        }

        var secret = WebhookSignature.NewSecret();
        var webhook = new WebhookRecord
        {
            Id = "wh_" + Guid.CreateVersion7().ToString("N"),
            Team = body.Team!,
            Url = url!.AbsoluteUri,
            Events = string.Join(',', events.Distinct(StringComparer.Ordinal)),
            SecretProtected = protector.Protect(secret),
            AllowPrivateNetwork = body.AllowPrivateNetwork,
            CreatedAt = time.GetUtcNow(),
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookResponse.From(webhook) with { Secret = secret };
    }

    /// <summary>
    /// Removes webhook <paramref name="id"/>; <see langword="null"/> when it was removed, else why not (404 when
    /// <paramref name="user"/> does not see it, 403 when it may not remove it).
    /// </summary>
    public async Task<ProblemDetails?> DeleteAsync(string id, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var team = await db.Webhooks.Where(w => w.Id == id).Select(w => w.Team).SingleOrDefaultAsync(cancellationToken);
        if (team is null || !Sees(user, team))
        {
            return NotFound(id);
        }

        if (Refusal(user, team, allowPrivateNetwork: false) is { } refused)
        {
            return refused;
        }

        var deleted = await db.Webhooks.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? NotFound(id) : null;
    }

    /// <summary>Another team's webhook does not exist for the caller (as with environments: no existence leak); an admin sees all.</summary>
    public static bool Sees(ClaimsPrincipal user, string team)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsAdmin() || string.Equals(team, user.TeamOf(), StringComparison.Ordinal);
    }

    /// <summary>No webhook of that id, or none the caller sees (404).</summary>
    public static ProblemDetails NotFound(string id) =>
        Refusals.Problem(StatusCodes.Status404NotFound, "Webhook not found", $"There is no webhook '{id}'.");

    private async Task<(Uri? Url, Dictionary<string, string[]> Errors)> ValidateAsync(
        WebhookRequest body, IReadOnlyList<string> events, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Team))
        {
            errors["team"] = ["Name the team whose environments' events the webhook receives."];
        }

        if (events.FirstOrDefault(e => !NotificationEvents.All.Contains(e, StringComparer.Ordinal)) is { } unknown)
        {
            errors["events"] = [$"Unknown event '{unknown}'. Use any of: {string.Join(", ", NotificationEvents.All)}."];
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            errors["url"] = ["Give an absolute http or https URL without credentials or fragment, e.g. https://hooks.example.com/platform."];
        }
        else if (!body.AllowPrivateNetwork && !options.Value.AllowPrivateNetworks)
        {
            try
            {
                await WebhookAddresses.CheckAsync(resolver, url.IdnHost, cancellationToken);
            }
            catch (WebhookAddressRefusedException refused)
            {
                errors["url"] = [refused.Message];
            }
        }

        return (url, errors);
    }

    /// <summary>Why a non-admin may not register or remove a webhook of <paramref name="team"/>; <see langword="null"/> when it may.</summary>
    private static ProblemDetails? Refusal(ClaimsPrincipal user, string team, bool allowPrivateNetwork)
    {
        if (user.IsAdmin())
        {
            return null;
        }

        if (!string.Equals(team, user.TeamOf(), StringComparison.Ordinal))
        {
            return Forbidden("team", $"This caller acts for team '{user.TeamOf()}' and may register webhooks only for it. Set team to '{user.TeamOf()}' or leave it out.");
        }

        if (user.RoleOf() is not >= PlatformRole.Developer)
        {
            return Forbidden("role", "Managing a team's webhooks needs the developer role or higher; a viewer only reads them.");
        }

        return allowPrivateNetwork
            ? Forbidden("allowPrivateNetwork", "Only an admin may let a webhook reach loopback, link-local or private addresses. Leave allowPrivateNetwork out.")
            : null;
    }

    private static ProblemDetails Forbidden(string field, string message)
    {
        var problem = Refusals.Problem(StatusCodes.Status403Forbidden, "Not allowed for this caller", message);
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        return problem;
    }
}
