using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Auth;

/// <summary>Body of <c>POST /v1/keys</c>.</summary>
/// <param name="Name">What the key is for, e.g. <c>payments-ci</c> (1-100 characters).</param>
/// <param name="Team">The team it acts for: 1-63 letters, digits, '-', '_' or '.' (an environment's <c>metadata.team</c>).</param>
/// <param name="Role"><c>viewer</c>, <c>developer</c>, <c>operator</c> or <c>admin</c>.</param>
/// <param name="ExpiresAt">When it stops working (in the future); <c>Platform:Auth:DefaultKeyLifetime</c> from now when absent.</param>
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
public static partial class KeysApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/keys").WithTags("Keys").RequireAuthorization(PlatformPolicies.Admin);
        api.MapPost("/", CreateKey).WithName("CreateKey").ProducesValidationProblem()
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
        CreateKeyRequest body, HttpContext context, PlatformDbContext db, TimeProvider time, IOptions<PlatformAuthOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Trim().Length > 100)
        {
            errors["name"] = ["Name what the key is for (1-100 characters), e.g. \"payments-ci\"."];
        }

        if (body.Team is null || !TeamName().IsMatch(body.Team))
        {
            errors["team"] = ["Name the team the key acts for: 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (as in metadata.team)."];
        }

        if (!PlatformRoles.TryParse(body.Role, out var role))
        {
            errors["role"] = [$"'{body.Role}' is not a role. Use one of: {string.Join(", ", PlatformRoles.Names)}."];
        }

        if (body.ExpiresAt is { } requested && requested <= now)
        {
            errors["expiresAt"] = [$"The expiry {requested:O} is not in the future; name a later time or leave it out for {options.Value.DefaultKeyLifetime.TotalDays:0} days."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The key request is invalid");
        }

        var (id, plain) = ApiKeySecrets.Generate();
        var salt = ApiKeySecrets.NewSalt();
        var key = new ApiKey
        {
            Id = id,
            Name = body.Name!.Trim(),
            Team = body.Team!,
            Role = role,
            Salt = salt,
            Hash = ApiKeySecrets.Hash(salt, ApiKeySecrets.Split(plain).Secret),
            CreatedAt = now,
            CreatedBy = context.User.ActorOf() ?? "unknown",
            ExpiresAt = body.ExpiresAt?.ToUniversalTime() ?? now + options.Value.DefaultKeyLifetime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        if (context.RequestServices.GetService<Audit.RequestAudit>() is { } audit)
        {
            audit.Detail = $"key {id}: team {key.Team}, role {PlatformRoles.Name(role)}";
        }

        return TypedResults.Created($"/v1/keys/{id}", new CreatedApiKey(plain, ApiKeyView.From(key, now)));
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
        string id, PlatformDbContext db, TimeProvider time, ApiKeyCache cache, Audit.RequestAudit audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(audit);
        audit.Detail = $"key {Audit.AuditLog.Cut(id, 100)}";
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        // This replica refuses the key from the next request on; others within the key cache's duration.
        cache.Forget(id);

        return TypedResults.Ok(ApiKeyView.From(key, now));
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Key not found", detail: $"There is no API key '{id}'. GET /v1/keys lists them.");

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex TeamName();
}
