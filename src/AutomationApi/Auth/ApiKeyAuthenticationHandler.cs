using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;API key&gt;</c>: finds the key by its public id, checks its secret in
/// constant time, refuses revoked and expired keys, and notes its last use at most once per
/// <see cref="PlatformAuthOptions.LastUsedResolution"/>. A failed or missing credential is answered <c>401</c> with
/// <c>WWW-Authenticate: Bearer</c> and a problem saying why.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<PlatformDbContext> dbFactory,
    IOptions<PlatformAuthOptions> auth,
    TimeProvider time,
    ApiKeyCache cache,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>Reads the bearer value of a request's <c>Authorization</c> header, if it has one.</summary>
    public static string? BearerValue(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Anonymous endpoints (health, readiness) need no principal: a credential sent to them is not looked up, so
        // readiness answers from the database probe alone, even while the database is gone.
        if (string.IsNullOrEmpty(Request.Headers.Authorization.ToString()) ||
            Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
        {
            return AuthenticateResult.NoResult();
        }

        if (BearerValue(Request) is not { Length: > 0 } presented)
        {
            return AuthenticateResult.Fail("Send the key as 'Authorization: Bearer <key>'.");
        }

        var (id, secret) = ApiKeySecrets.Split(presented);
        if (!cache.TryFind(id, out var key))
        {
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            key = await db.ApiKeys.AsNoTracking().Where(k => k.Id == id)
                .Select(k => new ApiKeySnapshot(k.Id, k.Team, k.Role, k.Salt, k.Hash, k.ExpiresAt, k.RevokedAt, k.LastUsedAt))
                .SingleOrDefaultAsync(Context.RequestAborted);
            if (key is null)
            {
                cache.RememberUnknown(id);
            }
            else
            {
                cache.Remember(key);
            }
        }

        if (key is null || !ApiKeySecrets.Verify(key.Salt, key.Hash, secret))
        {
            LogRejected(Logger, id, "unknown key or wrong secret");
            return AuthenticateResult.Fail("The key is not valid.");
        }

        var now = time.GetUtcNow();
        if (key.RevokedAt is not null)
        {
            LogRejected(Logger, id, "revoked");
            return AuthenticateResult.Fail($"The key '{id}' was revoked; ask an admin for a new one.");
        }

        if (key.ExpiresAt is { } expires && expires <= now)
        {
            LogRejected(Logger, id, "expired");
            return AuthenticateResult.Fail($"The key '{id}' expired at {expires:O}; ask an admin for a new one.");
        }

        var resolution = auth.Value.LastUsedResolution;
        if (key.LastUsedAt is not { } last || now - last >= resolution)
        {
            // Conditional, so concurrent requests on one key write it once per resolution, not once each.
            var stale = now - resolution;
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            await db.ApiKeys.Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt <= stale))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
            cache.Used(id, now);
        }

        var identity = PlatformClaims.Identity(SchemeName, key.Team, key.Role, $"key:{key.Id}");
        return AuthenticateResult.Success(new AuthenticationTicket(new(identity), SchemeName));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failure is null
            ? "Bearer realm=\"platform\""
            : "Bearer realm=\"platform\", error=\"invalid_token\"";
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Authentication required",
                Detail = failure ?? "Send an API key (or an OIDC token, where the service accepts them) as 'Authorization: Bearer <key>'. An admin creates keys with " + CliRemedies.CreateKey + ".",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {KeyId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string keyId, string reason);
}
