using System.Security.Claims;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// The claims every authenticated principal carries, whichever way it signed in (API key or OIDC token): its team, its
/// role and who it is, so authorization and the audit log read one shape.
/// </summary>
public static class PlatformClaims
{
    /// <summary>The caller's team.</summary>
    public const string Team = "platform:team";

    /// <summary>The caller's role (<see cref="PlatformRoles.Names"/>); the identity's role claim type.</summary>
    public const string Role = "platform:role";

    /// <summary>Who the caller is: <c>key:&lt;id&gt;</c> or <c>oidc:&lt;subject&gt;</c>.</summary>
    public const string Actor = "platform:actor";

    /// <summary>An identity of the given team, role and actor, authenticated by <paramref name="scheme"/>.</summary>
    public static ClaimsIdentity Identity(string scheme, string team, PlatformRole role, string actor) =>
        new([new Claim(Team, team), new Claim(Role, PlatformRoles.Name(role)), new Claim(Actor, actor)], scheme, Actor, Role);

    /// <summary>The caller's team, or <see langword="null"/> for an anonymous caller.</summary>
    public static string? TeamOf(this ClaimsPrincipal user) => user?.FindFirst(Team)?.Value;

    /// <summary>The caller's actor name, or <see langword="null"/> for an anonymous caller.</summary>
    public static string? ActorOf(this ClaimsPrincipal user) => user?.FindFirst(Actor)?.Value;

    /// <summary>The caller's role, or <see langword="null"/> for an anonymous caller.</summary>
    public static PlatformRole? RoleOf(this ClaimsPrincipal user) =>
        PlatformRoles.TryParse(user?.FindFirst(Role)?.Value, out var role) ? role : null;

    /// <summary>Whether the caller is an admin (sees and changes every team's environments).</summary>
    public static bool IsAdmin(this ClaimsPrincipal user) => user.RoleOf() == PlatformRole.Admin;
}
