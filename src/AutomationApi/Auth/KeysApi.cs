using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Auth;

/// <summary>Body of <c>POST /v1/keys</c>.</summary>
/// <param name="Name">What the key is for, e.g. <c>payments-ci</c> (1-100 characters).</param>
/// <param name="Team">The team it acts for: 1-63 letters, digits, '-', '_' or '.' (an environment's <c>metadata.team</c>).</param>
/// <param name="Role"><c>viewer</c>, <c>developer</c>, <c>operator</c> or <c>admin</c>.</param>
/// <param name="ExpiresAt">When it stops working (in the future); <c>Platform:Auth:DefaultKeyLifetime</c> from now when absent.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateKeyRequest(string? Name, string? Team, string? Role, DateTimeOffset? ExpiresAt = null);

/// <summary>A key as listed: never its secret or hash.</summary>
/// <param name="Id">Public id (also the part of the key after <c>plat_</c>).</param>
/// <param name="Name">What it is for.</param>
/// <param name="Team">The team it acts for.</param>
/// <param name="Role">Its role.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">Who created it.</param>
/// <param name="ExpiresAt">When it stops working.</param>
/// <param name="RevokedAt">When it was revoked.</param>
/// <param name="LastUsedAt">When it last authenticated a request (to within <c>Platform:Auth:LastUsedResolution</c>).</param>
/// <param name="Active">Whether it authenticates requests now.</param>
public sealed record ApiKeyView(
    string Id, string Name, string Team, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Active)
{
    /// <summary>Maps a stored key.</summary>
    public static ApiKeyView From(ApiKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(key.Id, key.Name, key.Team, PlatformRoles.Name(key.Role), key.CreatedAt, key.CreatedBy, key.ExpiresAt, key.RevokedAt,
            key.LastUsedAt, key.IsActiveAt(now));
    }
}

/// <summary>A key just created: the only answer that ever holds the key itself.</summary>
/// <param name="Key">The key, to send as <c>Authorization: Bearer &lt;key&gt;</c>. Shown this once; store it now.</param>
/// <param name="Details">The key's stored details.</param>
public sealed record CreatedApiKey(string Key, ApiKeyView Details);

/// <summary><c>/v1/keys</c> (admins): create, list and revoke API keys.</summary>
public static class KeysApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization(PlatformPolicies.Admin);
        api.MapPost("/", CreateKey).WithName("CreateKey").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Create an API key")
            .WithDescription("A key for one team and role (viewer, developer, operator, admin), expiring at expiresAt (default " +
                             "Platform:Auth:DefaultKeyLifetime from now). The answer is the only time the key is shown: only a salted hash is stored.");
        api.MapGet("/", ListKeys).WithName("ListKeys").WithSummary("List API keys")
            .WithDescription("Every key (optionally of one team) with its role, expiry, revocation and last use; never a secret or hash.");
        api.MapGet("/{id}", GetKey).WithName("GetKey").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get an API key")
            .WithDescription("One key's details by its public id (the part after plat_); never its secret or hash.");
        api.MapDelete("/{id}", RevokeKey).WithName("RevokeKey").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Revoke an API key")
            .WithDescription("The key stops authenticating at once; its record stays for the audit log. Repeating it changes nothing.");
        return app;
    }

    /// <summary>Create an API key.</summary>
    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateKey(
        CreateKeyRequest body, HttpContext context, ApiKeyAdministration keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(keys);
        var created = await keys.CreateAsync(body, context.User.ActorOf() ?? "unknown", cancellationToken);
        if (created.Value is not { } key)
        {
            return LifecycleResults.Validation((HttpValidationProblemDetails)created.Problem!);
        }

        if (context.RequestServices.GetService<Audit.RequestAudit>() is { } audit)
        {
            audit.Detail = $"key {key.Details.Id}: team {key.Details.Team}, role {key.Details.Role}";
        }

        return TypedResults.Created($"/v1/keys/{key.Details.Id}", key);
    }

    /// <summary>List API keys.</summary>
    public static async Task<Ok<IReadOnlyList<ApiKeyView>>> ListKeys(string? team, PlatformDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var query = db.ApiKeys.AsNoTracking();
        if (team is not null)
        {
            query = query.Where(k => k.Team == team);
        }

        var now = time.GetUtcNow();
        var keys = await query.OrderBy(k => k.Team).ThenBy(k => k.Name).ThenBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ApiKeyView>>([.. keys.Select(k => ApiKeyView.From(k, now))]);
    }

    /// <summary>Get an API key.</summary>
    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> GetKey(string id, PlatformDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        return key is null ? NotFound(id) : TypedResults.Ok(ApiKeyView.From(key, time.GetUtcNow()));
    }

    /// <summary>Revoke an API key.</summary>
    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> RevokeKey(
        string id, ApiKeyAdministration keys, Audit.RequestAudit audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(audit);
        audit.Detail = $"key {Audit.AuditLog.Cut(id, 100)}";
        var revoked = await keys.RevokeAsync(id, cancellationToken);
        return revoked.Value is { } key ? TypedResults.Ok(key) : TypedResults.Problem(revoked.Problem!);
    }

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(ApiKeyAdministration.NotFound(id));
}
