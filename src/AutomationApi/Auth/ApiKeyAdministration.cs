using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Auth;

/// <summary>What an admin does with API keys: issue one (its secret shown once, a salted hash stored) and revoke one.</summary>
public sealed partial class ApiKeyAdministration(PlatformDbContext db, TimeProvider time, ApiKeyCache cache, IOptions<PlatformAuthOptions> options)
{
    /// <summary>
    /// Issues the key <paramref name="body"/> asks for, recorded as created by <paramref name="actor"/>; refused (400
    /// naming each invalid field) when its name, team, role or expiry is invalid.
    /// </summary>
    public async Task<LifecycleResult<CreatedApiKey>> CreateAsync(CreateKeyRequest body, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
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
            return Refusals.Invalid(errors, "The key request is invalid");
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
            CreatedBy = actor,
            ExpiresAt = body.ExpiresAt?.ToUniversalTime() ?? now + options.Value.DefaultKeyLifetime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);

        // Usable at once on this replica, even if its id was presented (and found unknown) before.
        cache.KeyCreated();
        return new CreatedApiKey(plain, ApiKeyView.From(key, now));
    }

    /// <summary>
    /// Revokes key <paramref name="id"/> (again: nothing changes) and forgets it on this replica at once (others within
    /// the key cache's duration); refused (404) when there is no such key.
    /// </summary>
    public async Task<LifecycleResult<ApiKeyView>> RevokeAsync(string id, CancellationToken cancellationToken)
    {
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
        return ApiKeyView.From(key, now);
    }

    /// <summary>No key of that id (404).</summary>
    public static ProblemDetails NotFound(string id) =>
        Refusals.Problem(StatusCodes.Status404NotFound, "Key not found", $"There is no API key '{id}'. {CliRemedies.ListKeys} lists them.");

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex TeamName();
}
