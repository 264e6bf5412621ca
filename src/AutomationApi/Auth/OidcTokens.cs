using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// OIDC bearer tokens: the JWT bearer handler validates issuer, audience, lifetime and signature; the configured team
/// and role claims then become the platform's own claims, and a token without a team or a known role is refused.
/// </summary>
public static class OidcTokens
{
    /// <summary>Configures the JWT bearer handler from <paramref name="jwt"/>.</summary>
    public static void Configure(JwtBearerOptions bearer, PlatformJwtOptions jwt)
    {
        ArgumentNullException.ThrowIfNull(bearer);
        ArgumentNullException.ThrowIfNull(jwt);
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            bearer.Authority = jwt.Authority;
        }

        bearer.Audience = jwt.Audience;

        // Claim names exactly as the provider writes them (the configured team and role claims), not remapped.
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters.ValidateIssuer = true;
        bearer.TokenValidationParameters.ValidateAudience = true;
        bearer.TokenValidationParameters.ValidateLifetime = true;
        bearer.TokenValidationParameters.ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? jwt.Authority : jwt.Issuer;
        bearer.TokenValidationParameters.ValidAudience = jwt.Audience;
        bearer.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                var team = principal.FindFirst(jwt.TeamClaim)?.Value;
                var roleValue = principal.FindFirst(jwt.RoleClaim)?.Value;
                if (string.IsNullOrWhiteSpace(team))
                {
                    context.Fail($"The token has no '{jwt.TeamClaim}' claim (Platform:Auth:Jwt:TeamClaim) naming the caller's team.");
                }
                else if (!PlatformRoles.TryParse(roleValue, out var role))
                {
                    context.Fail($"The token's '{jwt.RoleClaim}' claim (Platform:Auth:Jwt:RoleClaim) is '{roleValue}', not one of: {string.Join(", ", PlatformRoles.Names)}.");
                }
                else
                {
                    var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown";
                    context.Principal = new ClaimsPrincipal(PlatformClaims.Identity(JwtBearerDefaults.AuthenticationScheme, team, role, $"oidc:{subject}"));
                }

                return Task.CompletedTask;
            },
        };
    }
}
