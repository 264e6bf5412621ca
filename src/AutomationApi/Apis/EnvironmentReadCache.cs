using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Auth;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Environment reads served ready to send (issue 14): <c>GET /v1/environments/{name}</c> responses and list pages,
/// kept as the UTF-8 JSON they were answered with, with the team and tier each is authorized against on every
/// request. Nothing but what a response already shows is kept (secrets are masked in it), and every caller is still
/// authorized per request.
/// </summary>
/// <remarks>
/// <para>
/// Freshness. Every save that adds or changes an environment or one of its operations drops that environment's entry
/// and every list page once it has committed (<see cref="Operations.OperationWakeupInterceptor"/>), before the
/// writing request answers: on one replica a read after a write sees it. A read that was under way while a write
/// committed does not store what it read (each name's generation is taken before the read and compared after it), so
/// an entry never outlives a write it missed. Other replicas learn of the write from the same save's notification on
/// PostgreSQL's <c>platform_operations</c> channel (<c>env:&lt;name&gt;</c>), sent in its transaction; and whatever
/// happens to notifications (a listener reconnecting, <c>ListenNotify</c> off, a write made outside the service), no
/// entry is served once it is older than <see cref="PlatformReadCacheOptions.Duration"/>.
/// </para>
/// </remarks>
public sealed class EnvironmentReadCache(TimeProvider time, IOptions<PlatformOptions> options)
{
    // Generations by a hash of the name (a change of any name in a stripe refuses the stripe's reads in flight: rare,
    // and only costs a store) and of every list page; an epoch for "everything changed".
    private const int Stripes = 64;
    private readonly long[] _generations = new long[Stripes];
    private readonly ConcurrentDictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _pages = new(StringComparer.Ordinal);
    private long _pagesGeneration;
    private long _epoch;

    private PlatformReadCacheOptions Settings => options.Value.ReadCache;

    /// <summary>Whether reads are cached at all (<see cref="PlatformReadCacheOptions.Duration"/> above zero).</summary>
    public bool Enabled => Settings.Duration > TimeSpan.Zero;

    /// <summary>How many environments are cached now.</summary>
    public int Count => _byName.Count;

    /// <summary>How many list pages are cached now.</summary>
    public int PageCount => _pages.Count;

    /// <summary>The cached answer for the environment <paramref name="name"/>, if fresh.</summary>
    public Entry? Find(string name) => Fresh(_byName, name);

    /// <summary>The cached list page for <paramref name="key"/> (the filter as the caller may see it), if fresh.</summary>
    public Entry? FindPage(string key) => Fresh(_pages, key);

    /// <summary>Take before reading <paramref name="name"/> from the store; hand to <see cref="Store"/> with what was read.</summary>
    public Ticket Begin(string name) => new(Volatile.Read(ref _generations[Stripe(name)]), Volatile.Read(ref _epoch));

    /// <summary>Take before reading a list page from the store; hand to <see cref="StorePage"/>.</summary>
    public Ticket BeginPage() => new(Volatile.Read(ref _pagesGeneration), Volatile.Read(ref _epoch));

    /// <summary>Keeps what a read found, unless the environment changed since <paramref name="ticket"/> was taken.</summary>
    public void Store(string name, Ticket ticket, EnvironmentScope scope, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(name);
        Keep(_byName, name, ticket, scope, json, () => Volatile.Read(ref _generations[Stripe(name)]));
    }

    /// <summary>Keeps a list page, unless any environment changed since <paramref name="ticket"/> was taken.</summary>
    public void StorePage(string key, Ticket ticket, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(key);
        Keep(_pages, key, ticket, null, json, () => Volatile.Read(ref _pagesGeneration));
    }

    /// <summary>The environment <paramref name="name"/> (or one of its operations) changed: its entry and every page go.</summary>
    public void Changed(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Interlocked.Increment(ref _generations[Stripe(name)]);
        _byName.TryRemove(name, out _);
        Interlocked.Increment(ref _pagesGeneration);
        _pages.Clear();
    }

    /// <summary>Anything may have changed (too many names to list, or notifications were missed): everything goes.</summary>
    public void ChangedAll()
    {
        Interlocked.Increment(ref _epoch);
        _byName.Clear();
        Interlocked.Increment(ref _pagesGeneration);
        _pages.Clear();
    }

    private Entry? Fresh(ConcurrentDictionary<string, Entry> entries, string key)
    {
        var duration = Settings.Duration;
        if (duration <= TimeSpan.Zero || !entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (time.GetElapsedTime(entry.ReadAt) < duration)
        {
            return entry;
        }

        entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        return null;
    }

    private void Keep(ConcurrentDictionary<string, Entry> entries, string key, Ticket ticket, EnvironmentScope? scope, byte[] json, Func<long> generation)
    {
        if (!Enabled || generation() != ticket.Generation || Volatile.Read(ref _epoch) != ticket.Epoch)
        {
            return;
        }

        if (entries.Count >= Settings.MaxEntries)
        {
            // Bounded memory: start again rather than track use; a full cache means a large working set, which reads refill.
            entries.Clear();
        }

        var entry = new Entry(scope, json, time.GetTimestamp());
        entries[key] = entry;

        // A change that landed between the check above and the write: it may have dropped the key before the write
        // put it back, so the entry goes again (a change after this check drops it itself).
        if (generation() != ticket.Generation || Volatile.Read(ref _epoch) != ticket.Epoch)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    private static int Stripe(string name) => (int)((uint)StringComparer.Ordinal.GetHashCode(name) % Stripes);

    /// <summary>The generations a read started under (<see cref="Begin"/>).</summary>
    /// <param name="Generation">The name's (or the pages') generation.</param>
    /// <param name="Epoch">The epoch.</param>
    public readonly record struct Ticket(long Generation, long Epoch);

    /// <summary>A cached answer: the JSON as sent, and the environment's team and tier to authorize each caller against.</summary>
    /// <param name="Scope">The environment's team and tier (none for a list page: its filter already names the caller's team).</param>
    /// <param name="Json">The response body, UTF-8 JSON.</param>
    /// <param name="ReadAt">When it was read from the store (<see cref="TimeProvider.GetTimestamp"/>).</param>
    public sealed record Entry(EnvironmentScope? Scope, byte[] Json, long ReadAt);
}

/// <summary>
/// The cache of environment reads (section <c>Platform:ReadCache</c>): how long an answer may be served without
/// hearing of a change, and how many are kept.
/// </summary>
public sealed class PlatformReadCacheOptions
{
    /// <summary>
    /// The longest a cached read is served. A write through this replica drops what it changed at once, and on
    /// PostgreSQL a write through another replica does so within a notification's delay; this bounds how stale an
    /// answer can be when that notification is lost (or <c>Platform:Replicas:ListenNotify</c> is off, or the database
    /// was changed by hand). <c>00:00:00</c> turns the cache off.
    /// </summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most environments (and, separately, list pages) kept; past it the cache starts again empty.</summary>
    /// <value>The default is 10,000.</value>
    public int MaxEntries { get; set; } = 10_000;
}
