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
public sealed class EnvironmentReadCache(TimeProvider time, IOptions<PlatformOptions> options, ILogger<EnvironmentReadCache>? log = null)
{
    // Generations by a hash of the name (a change of any name in a stripe refuses the stripe's reads in flight: rare,
    // and only costs a store) and of every list page; an epoch for "everything changed".
    private const int Stripes = 64;
    private readonly long[] _generations = new long[Stripes];
    private readonly ConcurrentDictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Flight> _nameFlights = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Flight> _pageFlights = new(StringComparer.Ordinal);
    private long _pagesGeneration;

    // Saves under way that change a name of the stripe (any name, for pages), and until when that holds even if the
    // end of one is never heard of (a transaction disposed without committing or rolling back reports neither).
    private readonly int[] _changing = new int[Stripes];
    private readonly long[] _changingUntil = new long[Stripes];
    private int _pagesChanging;
    private long _pagesChangingUntil;
    private long _epoch;
    private long _reads;
    private int _waiting;

    private PlatformReadCacheOptions Settings => options.Value.ReadCache;

    /// <summary>Whether reads are cached at all (<see cref="PlatformReadCacheOptions.Duration"/> above zero).</summary>
    public bool Enabled => Settings.Duration > TimeSpan.Zero;

    /// <summary>How many environments are cached now.</summary>
    public int Count => _byName.Count;

    /// <summary>How many list pages are cached now.</summary>
    public int PageCount => _pages.Count;

    /// <summary>How many reads of the store this cache has started (shared, refreshes and reads of their own after a failed shared one).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>How many callers are waiting on a shared read now.</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    /// <summary>How many shared reads are in flight now.</summary>
    internal int InFlight => _nameFlights.Count + _pageFlights.Count;

    /// <summary>The cached answer for the environment <paramref name="name"/>, if fresh.</summary>
    public Entry? Find(string name) => Fresh(_byName, name);

    /// <summary>The cached list page for <paramref name="key"/> (the filter as the caller may see it), if fresh.</summary>
    public Entry? FindPage(string key) => Fresh(_pages, key);

    /// <summary>
    /// The answer for the environment <paramref name="name"/>: the cached one while fresh, else what <paramref name="read"/>
    /// finds (<see langword="null"/>: no such name), read once for every caller missing it at the same time.
    /// </summary>
    /// <param name="name">The environment.</param>
    /// <param name="read">Reads it from the store. It runs on no caller's behalf (a context of its own, not the
    /// request's), with a token no caller cancels; its <see cref="Entry.ReadAt"/> is ignored.</param>
    /// <param name="cancellationToken">This caller's: cancelling it stops this caller's wait, never the shared read.</param>
    /// <remarks>
    /// <para>
    /// Misses of one name coalesce: the first starts the read, the others wait for it (single flight), and what it
    /// found is kept unless the environment changed while it ran. A write drops the read in flight along with the
    /// entry (<see cref="Changed"/>), so a caller arriving after a write never joins a read that began before it.
    /// A shared read that fails is handed to nobody: each caller that waited on it reads for itself, as without
    /// the cache, and the failure is not remembered.
    /// </para>
    /// <para>
    /// Refresh ahead: the first read of an entry within <see cref="PlatformReadCacheOptions.RefreshAhead"/> of its
    /// expiry starts a shared read in the background and is served the entry it has; the fresh answer replaces it
    /// before it expires, so a busy entry is not missed by every caller at once.
    /// </para>
    /// </remarks>
    public ValueTask<Entry?> GetAsync(string name, Func<CancellationToken, Task<Entry?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(read);
        return ReadThroughAsync(Names, name, read, cancellationToken);
    }

    /// <summary>
    /// A list page for <paramref name="key"/> (the filter as the caller may see it): as <see cref="GetAsync"/>, for
    /// pages; <paramref name="read"/> answers an entry without a scope.
    /// </summary>
    public ValueTask<Entry?> GetPageAsync(string key, Func<CancellationToken, Task<Entry?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(read);
        return ReadThroughAsync(Pages, key, read, cancellationToken);
    }

    /// <summary>Take before reading <paramref name="name"/> from the store; hand to <see cref="Store"/> with what was read.</summary>
    public Ticket Begin(string name) => Names.Begin(name);

    /// <summary>Take before reading a list page from the store; hand to <see cref="StorePage"/>.</summary>
    public Ticket BeginPage() => Pages.Begin("");

    /// <summary>Keeps what a read found, unless the environment changed since <paramref name="ticket"/> was taken.</summary>
    public void Store(string name, Ticket ticket, EnvironmentScope scope, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(name);
        Keep(Names, name, ticket, new Entry(scope, json, ticket.At));
    }

    /// <summary>Keeps a list page, unless any environment changed since <paramref name="ticket"/> was taken.</summary>
    public void StorePage(string key, Ticket ticket, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(key);
        Keep(Pages, key, ticket, new Entry(null, json, ticket.At));
    }

    /// <summary>
    /// The environment <paramref name="name"/> (or one of its operations) changed: its entry and every page go, and
    /// so do the reads of them in flight (callers already waiting on one get what it finds; later ones read anew).
    /// </summary>
    public void Changed(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Interlocked.Increment(ref _generations[Stripe(name)]);
        _nameFlights.TryRemove(name, out _);
        _byName.TryRemove(name, out _);
        Interlocked.Increment(ref _pagesGeneration);
        _pageFlights.Clear();
        _pages.Clear();
    }

    /// <summary>
    /// A save that changes the environment <paramref name="name"/> (or one of its operations) is about to be made:
    /// what is cached of it goes now, and until the save <see cref="Settled"/> every read of it (and every page) goes to
    /// the store and keeps nothing. Dropping only after the commit would leave an instant in which a caller that had
    /// already seen the commit (its operation finished) could still be served the answer from before it.
    /// </summary>
    public void Changing(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var stripe = Stripe(name);
        var until = Now() + (long)(Settings.Duration.TotalSeconds * time.TimestampFrequency);
        Interlocked.Increment(ref _changing[stripe]);
        Volatile.Write(ref _changingUntil[stripe], until);
        Interlocked.Increment(ref _pagesChanging);
        Volatile.Write(ref _pagesChangingUntil, until);
        Changed(name);
    }

    /// <summary>A save announced by <see cref="Changing"/> committed, failed or was rolled back: reads of it are cached again.</summary>
    public void Settled(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Changed(name);
        Interlocked.Decrement(ref _changing[Stripe(name)]);
        Interlocked.Decrement(ref _pagesChanging);
    }

    /// <summary>Anything may have changed (too many names to list, or notifications were missed): everything goes.</summary>
    public void ChangedAll()
    {
        Interlocked.Increment(ref _epoch);
        _nameFlights.Clear();
        _byName.Clear();
        Interlocked.Increment(ref _pagesGeneration);
        _pageFlights.Clear();
        _pages.Clear();
    }

    private Region Names => new(_byName, _nameFlights, this, IsPages: false);

    private Region Pages => new(_pages, _pageFlights, this, IsPages: true);

    private async ValueTask<Entry?> ReadThroughAsync(Region region, string key, Func<CancellationToken, Task<Entry?>> read, CancellationToken cancellationToken)
    {
        if (!Enabled || region.Changing(key))
        {
            Interlocked.Increment(ref _reads);
            return await read(cancellationToken);
        }

        if (Fresh(region.Entries, key) is { } cached)
        {
            if (NeedsRefresh(cached) && !region.Flights.ContainsKey(key))
            {
                RefreshInBackground(region, key, read);
            }

            return cached;
        }

        var flight = Join(region, key, read);
        Interlocked.Increment(ref _waiting);
        try
        {
            return await flight.Task.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && flight.Task.IsFaulted)
        {
            // Not this caller's failure to hand on: it reads for itself below, as it would have without the cache.
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        var ticket = region.Begin(key);
        Interlocked.Increment(ref _reads);
        var entry = await read(cancellationToken);
        if (entry is not null)
        {
            entry = entry with { ReadAt = ticket.At };
            Keep(region, key, ticket, entry);
        }

        return entry;
    }

    private bool NeedsRefresh(Entry entry)
    {
        var ahead = Settings.RefreshAhead;
        return ahead > TimeSpan.Zero && time.GetElapsedTime(entry.ReadAt) >= Settings.Duration - ahead;
    }

    private void RefreshInBackground(Region region, string key, Func<CancellationToken, Task<Entry?>> read)
    {
        // Not on the caller's behalf: none of its context (its request, its trace, its log scopes) goes with it.
        Flight flight;
        using (ExecutionContext.SuppressFlow())
        {
            flight = Join(region, key, read);
        }

        _ = flight.Task.ContinueWith(
            (task, state) => ((ILogger?)state)?.LogWarning(task.Exception?.GetBaseException(), "A background refresh of a cached environment read failed; the next read tries again."),
            log, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // The read in flight for the key, or a new one this caller starts.
    private Flight Join(Region region, string key, Func<CancellationToken, Task<Entry?>> read)
    {
        while (true)
        {
            if (region.Flights.TryGetValue(key, out var running))
            {
                return running;
            }

            // The ticket is taken before the flight is visible: a write after this point either finds the flight (and
            // drops it) or happened before the read began (which then sees it); either way the ticket refuses the keep.
            var ticket = region.Begin(key);
            var completion = new TaskCompletionSource<Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var flight = new Flight(completion.Task);
            if (region.Flights.TryAdd(key, flight))
            {
                _ = FlyAsync(region, key, ticket, read, completion, flight);
                return flight;
            }
        }
    }

    private async Task FlyAsync(Region region, string key, Ticket ticket, Func<CancellationToken, Task<Entry?>> read, TaskCompletionSource<Entry?> completion, Flight flight)
    {
        try
        {
            Interlocked.Increment(ref _reads);
            var entry = await read(CancellationToken.None);
            if (entry is not null)
            {
                entry = entry with { ReadAt = ticket.At };
                Keep(region, key, ticket, entry);
            }

            region.Flights.TryRemove(new KeyValuePair<string, Flight>(key, flight));
            completion.SetResult(entry);
        }
        catch (Exception e)
        {
            region.Flights.TryRemove(new KeyValuePair<string, Flight>(key, flight));
            completion.SetException(e);
        }
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

    private void Keep(Region region, string key, Ticket ticket, Entry entry)
    {
        var entries = region.Entries;
        if (!Enabled || !region.Current(key, ticket) || region.Changing(key))
        {
            return;
        }

        if (entries.Count >= Settings.MaxEntries && !entries.ContainsKey(key))
        {
            // Bounded memory: start again rather than track use; a full cache means a large working set, which reads refill.
            entries.Clear();
        }

        entries[key] = entry;

        // A change that landed between the check above and the write: it may have dropped the key before the write
        // put it back, so the entry goes again (a change after this check drops it itself).
        if (!region.Current(key, ticket) || region.Changing(key))
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    private long Epoch => Volatile.Read(ref _epoch);

    private long PagesGeneration => Volatile.Read(ref _pagesGeneration);

    private long NameGeneration(string name) => Volatile.Read(ref _generations[Stripe(name)]);

    private bool NameChanging(string name)
    {
        var stripe = Stripe(name);
        return Volatile.Read(ref _changing[stripe]) > 0 && Now() < Volatile.Read(ref _changingUntil[stripe]);
    }

    private bool PagesChanging => Volatile.Read(ref _pagesChanging) > 0 && Now() < Volatile.Read(ref _pagesChangingUntil);

    private long Now() => time.GetTimestamp();

    private static int Stripe(string name) => (int)((uint)StringComparer.Ordinal.GetHashCode(name) % Stripes);

    /// <summary>The generations a read started under (<see cref="Begin"/>), and when it started.</summary>
    /// <param name="Generation">The name's (or the pages') generation.</param>
    /// <param name="Epoch">The epoch.</param>
    /// <param name="At">When the read started (<see cref="TimeProvider.GetTimestamp"/>): what is kept is as old as this.</param>
    public readonly record struct Ticket(long Generation, long Epoch, long At);

    /// <summary>A cached answer: the JSON as sent, and the environment's team and tier to authorize each caller against.</summary>
    /// <param name="Scope">The environment's team and tier (none for a list page: its filter already names the caller's team).</param>
    /// <param name="Json">The response body, UTF-8 JSON.</param>
    /// <param name="ReadAt">When the read that found it started (<see cref="TimeProvider.GetTimestamp"/>).</param>
    public sealed record Entry(EnvironmentScope? Scope, byte[] Json, long ReadAt);

    private sealed record Flight(Task<Entry?> Task);

    // One kind of entry (environments by name, or list pages) with its reads in flight and its generation.
    private readonly record struct Region(
        ConcurrentDictionary<string, Entry> Entries, ConcurrentDictionary<string, Flight> Flights, EnvironmentReadCache Cache, bool IsPages)
    {
        public Ticket Begin(string key) => new(Generation(key), Cache.Epoch, Cache.Now());

        public bool Current(string key, Ticket ticket) => Generation(key) == ticket.Generation && Cache.Epoch == ticket.Epoch;

        public bool Changing(string key) => IsPages ? Cache.PagesChanging : Cache.NameChanging(key);

        private long Generation(string key) => IsPages ? Cache.PagesGeneration : Cache.NameGeneration(key);
    }
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

    /// <summary>
    /// How long before an entry expires its next read refreshes it in the background (one read of the store, while
    /// callers are still served the entry), so that a busy entry is not missed by every caller at once when it
    /// expires. <c>00:00:00</c> turns refreshing ahead off; as long as <see cref="Duration"/> or longer refreshes on
    /// every read that finds no refresh under way.
    /// </summary>
    /// <value>The default is 0.5 seconds.</value>
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMilliseconds(500);
}
