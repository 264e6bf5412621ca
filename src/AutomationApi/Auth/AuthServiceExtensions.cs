using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Auth;

/// <summary>Authentication (API keys, optional OIDC tokens), the authorization policies and the bootstrap admin key.</summary>
public static class AuthServiceExtensions
{
    /// <summary>The scheme every request is authenticated by: it forwards to the API key or the JWT bearer handler.</summary>
    public const string BearerScheme = "Platform";

    /// <summary>
    /// Registers authentication, authorization and the bootstrap admin key. Call after the operations (the key is
    /// stored after start-up recovery migrated the schema) and the API (the document's security comes after its own transformers).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PlatformAuthOptions>()
            .Bind(builder.Configuration.GetSection(PlatformAuthOptions.SectionName))
            .Validate(o => BootstrapAdminKey.Problem(o) is null, BootstrapAdminKey.TooShort)
            .Validate(o => o.LastUsedResolution >= TimeSpan.Zero && o.DefaultKeyLifetime > TimeSpan.Zero,
                "Platform:Auth:LastUsedResolution must not be negative and Platform:Auth:DefaultKeyLifetime must be positive (defaults 00:01:00 and 90.00:00:00).")
            .Validate(o => o.KeyCacheDuration >= TimeSpan.Zero && o.UnknownKeyCacheDuration >= TimeSpan.Zero && o.UnknownKeyCacheSize > 0,
                "Platform:Auth:KeyCacheDuration and Platform:Auth:UnknownKeyCacheDuration must not be negative (00:00:00 turns either off) and " +
                "Platform:Auth:UnknownKeyCacheSize must be positive (defaults 00:00:15, 00:00:05 and 10000).")
            .Validate(o => !o.Jwt.Enabled || !string.IsNullOrWhiteSpace(o.Jwt.Audience),
                "Platform:Auth:Jwt:Audience must name the audience tokens are issued for when Platform:Auth:Jwt:Issuer or Authority is set.")
            .ValidateOnStart();

        // A bearer value that looks like a JWT (three dot-separated parts, not an API key) goes to the JWT handler
        // when tokens are configured; everything else is an API key.
        builder.Services.AddAuthentication(BearerScheme)
            .AddPolicyScheme(BearerScheme, "API key or OIDC token", options => options.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.BearerValue(context.Request) is { } value &&
                !value.StartsWith(ApiKeySecrets.Prefix, StringComparison.Ordinal) && value.Count(c => c == '.') == 2 &&
                context.RequestServices.GetRequiredService<IOptions<PlatformAuthOptions>>().Value.Jwt.Enabled
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<PlatformAuthOptions>>((bearer, platform) => OidcTokens.Configure(bearer, platform.Value.Jwt));

        builder.Services.AddAuthorization(PlatformPolicies.Add);
        builder.Services.AddSingleton<IAuthorizationHandler, EnvironmentAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenProblems>();
        builder.Services.AddSingleton<BootstrapKeyOutput>();
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddScoped<ApiKeyAdministration>();
        builder.Services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", AuthOpenApi.Configure);
        builder.Services.AddHostedService<BootstrapAdminKey>();
        return builder;
    }

    /// <summary>Authentication and authorization middleware (before anything that does work for a caller).</summary>
    public static IApplicationBuilder UsePlatformAuth(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>A <c>403</c> from a role policy is a problem naming what was needed.</summary>
internal sealed class ForbiddenProblems(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var needed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault()?.AllowedRoles;
            var has = context.User.RoleOf() is { } role ? PlatformRoles.Name(role) : "none";
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Insufficient role",
                Detail = needed?.ToList() switch
                {
                    null or [] => $"This caller (role '{has}') may not do this.",
                    [var only] => $"This needs the '{only}' role; this caller has '{has}'. Ask an admin for a key with that role.",
                    var several => $"This needs one of the roles {string.Join(", ", several.Select(r => $"'{r}'"))}; this caller has '{has}'. Ask an admin for a key with one of them.",
                },
            };

            // As the environment endpoints' 403s do: the role asked for (the first that would do) and the caller's.
            if (needed?.FirstOrDefault() is { } required)
            {
                details.Extensions["requiredRole"] = required;
            }

            details.Extensions["role"] = has;
            await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details });
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
