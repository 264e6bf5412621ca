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
/// <remarks>
/// <para>
/// What is kept is an immutable <see cref="ApiKeySnapshot"/> of the stored key, so nothing a caller does to its copy
/// reaches the cache. Keys that exist are kept for <see cref="PlatformAuthOptions.KeyCacheDuration"/>, at most one
/// entry per stored key.
/// </para>
/// <para>
/// Ids that name no key are remembered too, for <see cref="PlatformAuthOptions.UnknownKeyCacheDuration"/>, so a
/// flood of requests with a well-formed but unknown key does not read the store each time; at most
/// <see cref="PlatformAuthOptions.UnknownKeyCacheSize"/> of them (past it the list starts again empty), so random
/// ids cannot grow memory without bound. A key created on this replica empties that list (<see cref="KeyCreated"/>;
/// creates are rare), so it is usable at once whatever was presented before; a key created on another replica has an
/// id generated there at random, which nobody could have presented here before.
/// </para>
/// </remarks>
public sealed class ApiKeyCache(TimeProvider time, IOptions<PlatformAuthOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    /// <summary>How many ids are remembered as naming no key now.</summary>
    public int UnknownCount => _unknown.Count;

    /// <summary>
    /// What this replica knows of key <paramref name="id"/> from a recent read: <see langword="true"/> with the key,
    /// or with <see langword="null"/> when the id named no key; <see langword="false"/> when the store must be read.
    /// </summary>
    public bool TryFind(string id, out ApiKeySnapshot? key)
    {
        ArgumentNullException.ThrowIfNull(id);
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (settings.KeyCacheDuration > TimeSpan.Zero && _keys.TryGetValue(id, out var entry) && now - entry.ReadAt < settings.KeyCacheDuration)
        {
            key = entry.Key;
            return true;
        }

        key = null;
        if (settings.UnknownKeyCacheDuration > TimeSpan.Zero && _unknown.TryGetValue(id, out var readAt))
        {
            if (now - readAt < settings.UnknownKeyCacheDuration)
            {
                return true;
            }

            _unknown.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, readAt));
        }

        return false;
    }

    /// <summary>Remembers <paramref name="key"/> as just read from the store.</summary>
    public void Remember(ApiKeySnapshot key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (options.Value.KeyCacheDuration > TimeSpan.Zero)
        {
            _keys[key.Id] = new Entry(key, time.GetUtcNow());
        }
    }

    /// <summary>Remembers that the store has no key <paramref name="id"/> (just read).</summary>
    public void RememberUnknown(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var settings = options.Value;
        if (settings.UnknownKeyCacheDuration <= TimeSpan.Zero || settings.UnknownKeyCacheSize <= 0)
        {
            return;
        }

        if (_unknown.Count >= settings.UnknownKeyCacheSize)
        {
            // Bounded memory: start again rather than track age; a flood of random ids only ever costs this much.
            _unknown.Clear();
        }

        _unknown[id] = time.GetUtcNow();
    }

    /// <summary>Notes a last-used time written to the store, so the next request does not write it again.</summary>
    public void Used(string id, DateTimeOffset at)
    {
        if (_keys.TryGetValue(id, out var entry))
        {
            _keys.TryUpdate(id, entry with { Key = entry.Key with { LastUsedAt = at } }, entry);
        }
    }

    /// <summary>Drops a key this replica changed (revoked), so its next use reads the store.</summary>
    public void Forget(string id)
    {
        _keys.TryRemove(id, out _);
        _unknown.TryRemove(id, out _);
    }

    /// <summary>
    /// A key was created on this replica: no id is remembered as unknown any more, so the new key (whatever id was
    /// presented before) is read from the store on its first use.
    /// </summary>
    public void KeyCreated() => _unknown.Clear();

    private sealed record Entry(ApiKeySnapshot Key, DateTimeOffset ReadAt);
}

/// <summary>A stored API key as authentication uses it, read at one moment and never changed (what <see cref="ApiKeyCache"/> keeps).</summary>
/// <param name="Id">The key's public id.</param>
/// <param name="Team">The team it acts for.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Salt">The salt of <paramref name="Hash"/> (base64).</param>
/// <param name="Hash">HMAC-SHA256 of its secret under <paramref name="Salt"/> (base64).</param>
/// <param name="ExpiresAt">When it stops working; <see langword="null"/> for never.</param>
/// <param name="RevokedAt">When it was revoked; <see langword="null"/> while it is not.</param>
/// <param name="LastUsedAt">When it last authenticated a request, as last written.</param>
public sealed record ApiKeySnapshot(
    string Id, string Team, PlatformRole Role, string Salt, string Hash, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);
