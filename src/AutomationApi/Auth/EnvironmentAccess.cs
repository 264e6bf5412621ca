using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// Applies the environment policies to routes: an endpoint filter finds the environment a route names (by
/// <c>{name}</c>, or through the operation <c>{id}</c>) and authorizes the caller against its team and tier before the
/// handler runs. Another team's environment is answered exactly like a missing one (<c>404</c>, no existence leak); a
/// visible environment the caller's role may not change is <c>403</c>. GET and HEAD read; every other method changes.
/// </summary>
public static class EnvironmentAccess
{
    /// <summary>Authorizes routes with a <c>{name}</c> parameter against that environment (routes without one pass through).</summary>
    public static TBuilder RequireEnvironmentAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter(ByEnvironmentNameAsync);

    /// <summary>Authorizes routes with an operation <c>{id}</c> parameter against the operation's environment.</summary>
    public static TBuilder RequireOperationAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter(ByOperationIdAsync);

    /// <summary>Only the environments the caller may see: its team's, or all of them for an admin.</summary>
    public static IQueryable<EnvironmentRecord> VisibleTo(this IQueryable<EnvironmentRecord> environments, ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsAdmin())
        {
            return environments;
        }

        var team = user.TeamOf() ?? "";
        return environments.Where(e => e.Team == team);
    }

    /// <summary>
    /// Authorizes creating or deploying <paramref name="spec"/>: the spec must name the caller's own team (admins may
    /// name any) and the caller's role must allow changing its tier. <see langword="null"/> when allowed, else the <c>403</c> problem.
    /// </summary>
    /// <param name="authorization">The authorization service.</param>
    /// <param name="user">The caller.</param>
    /// <param name="spec">The spec to create or deploy.</param>
    public static async Task<ProblemDetails?> AuthorizeSpecAsync(IAuthorizationService authorization, ClaimsPrincipal user, EnvironmentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(spec);
        var team = spec.Metadata.Team;
        if (!user.IsAdmin() && !string.Equals(team, user.TeamOf(), StringComparison.Ordinal))
        {
            var message = $"The spec names team '{team}', but this caller acts for team '{user.TeamOf()}'. Set metadata.team to '{user.TeamOf()}': " +
                          "an environment belongs to the team of whoever creates it.";
            var problem = new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Another team's environment", Detail = message };
            problem.Extensions["errors"] = new Dictionary<string, string[]> { ["metadata.team"] = [message] };
            return problem;
        }

        return await AuthorizeChangeAsync(authorization, user, new EnvironmentScope(team, spec.Tier));
    }

    /// <summary>Whether the caller may read an environment of <paramref name="scope"/>.</summary>
    /// <param name="authorization">The authorization service.</param>
    /// <param name="user">The caller.</param>
    /// <param name="scope">The environment's team and tier.</param>
    public static async Task<bool> CanReadAsync(IAuthorizationService authorization, ClaimsPrincipal user, EnvironmentScope scope)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return (await authorization.AuthorizeAsync(user, scope, PlatformPolicies.EnvironmentRead)).Succeeded;
    }

    /// <summary>Whether the caller may read an environment of <paramref name="scope"/>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scope">The environment's team and tier.</param>
    public static Task<bool> CanReadAsync(HttpContext context, EnvironmentScope scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CanReadAsync(context.RequestServices.GetRequiredService<IAuthorizationService>(), context.User, scope);
    }

    private static async Task<ProblemDetails?> AuthorizeChangeAsync(IAuthorizationService authorization, ClaimsPrincipal user, EnvironmentScope scope)
    {
        if ((await authorization.AuthorizeAsync(user, scope, PlatformPolicies.EnvironmentChange)).Succeeded)
        {
            return null;
        }

        var needed = PlatformRoles.Name(new EnvironmentAccessRequirement(change: true).RoleNeeded(scope.Tier));
        var has = user.RoleOf() is { } role ? PlatformRoles.Name(role) : "none";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Insufficient role",
            Detail = $"Changing a {scope.Tier.ToString().ToLowerInvariant()} environment of team '{scope.Team}' needs the '{needed}' role " +
                     $"(or 'admin'); this caller has '{has}'. Ask an admin for a key with that role.",
        };
        problem.Extensions["requiredRole"] = needed;
        problem.Extensions["role"] = has;
        return problem;
    }

    private static async ValueTask<object?> ByEnvironmentNameAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.Request.RouteValues["name"] is not string name || context.GetEndpoint()?.Metadata.GetMetadata<AuthorizesEnvironmentReadAttribute>() is not null)
        {
            return await next(invocation);
        }

        // The request's one read of the environment: the handler's lifecycle call is answered from it.
        var scope = await context.RequestServices.GetRequiredService<EnvironmentLookup>().FindAsync(name, context.RequestAborted);

        // A missing environment is the handler's 404 to give.
        return scope is null
            ? await next(invocation)
            : await AuthorizeAsync(context, new EnvironmentScope(scope.Team, scope.Tier), () => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Environment not found", detail: $"There is no environment named '{name}'.")) ?? await next(invocation);
    }

    private static async ValueTask<object?> ByOperationIdAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.Request.RouteValues["id"] is not string id)
        {
            return await next(invocation);
        }

        var db = context.RequestServices.GetRequiredService<PlatformDbContext>();
        var scope = await (from o in db.Operations.AsNoTracking()
                           join e in db.Environments.AsNoTracking() on o.EnvironmentId equals e.Id
                           where o.Id == id
                           select new { e.Team, e.Tier, o.EnvironmentName }).FirstOrDefaultAsync(context.RequestAborted);
        if (scope is not null && context.RequestServices.GetService<Audit.RequestAudit>() is { Context: not null } audit)
        {
            // The request's audit entry names the operation's environment, found here rather than looked up again.
            audit.Environment ??= scope.EnvironmentName;
        }

        return scope is null
            ? await next(invocation)
            : await AuthorizeAsync(context, new EnvironmentScope(scope.Team, scope.Tier), () => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Operation not found", detail: $"There is no operation '{id}'.")) ?? await next(invocation);
    }

    private static async Task<IResult?> AuthorizeAsync(HttpContext context, EnvironmentScope scope, Func<IResult> notFound)
    {
        if (!await CanReadAsync(context, scope))
        {
            return notFound();
        }

        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return null;
        }

        return await AuthorizeChangeAsync(context.RequestServices.GetRequiredService<IAuthorizationService>(), context.User, scope) is { } denied
            ? TypedResults.Problem(denied)
            : null;
    }
}

/// <summary>
/// Marks a read handler that authorizes the environment it reads itself (with <see cref="EnvironmentAccess.CanReadAsync(HttpContext, EnvironmentScope)"/>
/// on the row it loaded), so the route filter does not look the environment up a second time.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AuthorizesEnvironmentReadAttribute : Attribute;
