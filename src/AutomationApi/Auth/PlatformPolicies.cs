using Microsoft.AspNetCore.Authorization;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// The authorization policies. Every endpoint needs an authenticated principal (the fallback policy) unless it allows
/// anonymous callers (health, readiness, the OpenAPI document); role policies guard whole APIs; environment policies
/// take the environment's <see cref="EnvironmentScope"/> as their resource.
/// </summary>
public static class PlatformPolicies
{
    /// <summary>Any authenticated caller.</summary>
    public const string Viewer = "platform:viewer";

    /// <summary>Developers, operators and admins.</summary>
    public const string Developer = "platform:developer";

    /// <summary>Operators and admins.</summary>
    public const string Operator = "platform:operator";

    /// <summary>Admins only (keys, the audit log).</summary>
    public const string Admin = "platform:admin";

    /// <summary>Reading an environment (resource: <see cref="EnvironmentScope"/>): its own team, or an admin.</summary>
    public const string EnvironmentRead = "platform:environment:read";

    /// <summary>
    /// Changing an environment (resource: <see cref="EnvironmentScope"/>): a developer of its team for dev and
    /// staging, an operator of its team for prod as well, or an admin.
    /// </summary>
    public const string EnvironmentChange = "platform:environment:change";

    /// <summary>Registers the policies.</summary>
    public static void Add(AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(Viewer, p => p.RequireAuthenticatedUser());
        options.AddPolicy(Developer, p => p.RequireRole(AtLeast(PlatformRole.Developer)));
        options.AddPolicy(Operator, p => p.RequireRole(AtLeast(PlatformRole.Operator)));
        options.AddPolicy(Admin, p => p.RequireRole(AtLeast(PlatformRole.Admin)));
        options.AddPolicy(EnvironmentRead, p => p.RequireAuthenticatedUser().AddRequirements(new EnvironmentAccessRequirement(change: false)));
        options.AddPolicy(EnvironmentChange, p => p.RequireAuthenticatedUser().AddRequirements(new EnvironmentAccessRequirement(change: true)));
    }

    private static string[] AtLeast(PlatformRole role) => [.. Enum.GetValues<PlatformRole>().Where(r => r >= role).Select(PlatformRoles.Name)];
}

/// <summary>Whose an environment is and which tier it runs on: what its access depends on.</summary>
/// <param name="Team">The owning team.</param>
/// <param name="Tier">The tier.</param>
public sealed record EnvironmentScope(string Team, Tier Tier);

/// <summary>Read or change access to an environment.</summary>
/// <param name="change">Whether the requirement is to change it (else to read it).</param>
public sealed class EnvironmentAccessRequirement(bool change) : IAuthorizationRequirement
{
    /// <summary>Whether the requirement is to change the environment (else to read it).</summary>
    public bool Change { get; } = change;

    /// <summary>The weakest role of the environment's team that meets the requirement on <paramref name="tier"/>.</summary>
    public PlatformRole RoleNeeded(Tier tier) =>
        !Change ? PlatformRole.Viewer : tier == Tier.Prod ? PlatformRole.Operator : PlatformRole.Developer;
}

/// <summary>Decides <see cref="EnvironmentAccessRequirement"/>: admins always; others on their own team's environments by role and tier.</summary>
public sealed class EnvironmentAccessHandler : AuthorizationHandler<EnvironmentAccessRequirement, EnvironmentScope>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, EnvironmentAccessRequirement requirement, EnvironmentScope resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(resource);
        if (context.User.RoleOf() is { } role &&
            (role == PlatformRole.Admin ||
             (string.Equals(context.User.TeamOf(), resource.Team, StringComparison.Ordinal) && role >= requirement.RoleNeeded(resource.Tier))))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
