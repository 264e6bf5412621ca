using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// The API keys this replica verified recently, so an authenticated request does not cost a database round trip
/// (it was most of a read's cost: a cached key turned <c>GET /v1/golden-paths</c> from ≈0.03 × the throughput of
/// <c>/healthz</c> into ≈0.3 ×, docs/performance.md). The secret is still checked against the stored hash on every
/// request; expiry is checked against the clock; a revoke on this replica takes effect at once. A revoke made on
/// another replica takes effect here within <see cref="PlatformAuthOptions.KeyCacheDuration"/>.
/// </summary>
/// <remarks>Only keys that exist are cached, so the cache holds at most one entry per stored key.</remarks>
public sealed class ApiKeyCache(TimeProvider time, IOptions<PlatformAuthOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);

    /// <summary>The stored key with this id, as read within the cache duration, if there is one.</summary>
    public ApiKey? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var duration = options.Value.KeyCacheDuration;
        return duration > TimeSpan.Zero && _keys.TryGetValue(id, out var entry) && time.GetUtcNow() - entry.ReadAt < duration
            ? entry.Key
            : null;
    }

    /// <summary>Remembers <paramref name="key"/> as just read from the store (a copy: callers may change theirs).</summary>
    public void Remember(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (options.Value.KeyCacheDuration > TimeSpan.Zero)
        {
            _keys[key.Id] = new Entry(Copy(key), time.GetUtcNow());
        }
    }

    /// <summary>Notes a last-used time written to the store, so the next request does not write it again.</summary>
    public void Used(string id, DateTimeOffset at)
    {
        if (_keys.TryGetValue(id, out var entry))
        {
            var key = Copy(entry.Key);
            key.LastUsedAt = at;
            _keys.TryUpdate(id, entry with { Key = key }, entry);
        }
    }

    /// <summary>Drops a key this replica changed (revoked), so its next use reads the store.</summary>
    public void Forget(string id) => _keys.TryRemove(id, out _);

    private static ApiKey Copy(ApiKey key) => new()
    {
        Id = key.Id,
        Name = key.Name,
        Team = key.Team,
        Role = key.Role,
        Salt = key.Salt,
        Hash = key.Hash,
        CreatedAt = key.CreatedAt,
        CreatedBy = key.CreatedBy,
        ExpiresAt = key.ExpiresAt,
        RevokedAt = key.RevokedAt,
        LastUsedAt = key.LastUsedAt,
    };

    private sealed record Entry(ApiKey Key, DateTimeOffset ReadAt);
}
