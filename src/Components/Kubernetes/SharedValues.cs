using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Within one compilation, equal plan values converted from the Kubernetes models are one instance. Services of a tier
/// carry the same security contexts, probes, ports, sizing, strategies and many of the same texts: of the ≈260,000
/// values a 1,000-service plan's Kubernetes inputs hold, ≈57,000 are distinct (measured 2026-12-01). A plan keeps every
/// value it holds until it is dropped, and each one the garbage collector finds alive is copied from one generation
/// to the next, so sharing the rest cuts the collector's work, not only the bytes.
/// </summary>
/// <remarks>
/// Plan values are immutable records with structural equality, so sharing is invisible to every reader (the plan,
/// program, report and cost are byte-identical, held by <c>GeneratedEnvironmentTests</c>). Values are shared bottom-up:
/// a map or list is looked up by its keys and by the identity of its children, which are already shared, so a lookup
/// costs a shallow hash, never a walk. The table is in use only while <see cref="Enter"/>'s scope is open on the thread
/// (compilation is synchronous) and is emptied when it closes, so nothing outlives the plan it was built for; the
/// emptied table is kept for the process's next compilation (one table, whichever thread compiles next).
/// </remarks>
internal sealed class SharedValues
{
    [ThreadStatic]
    private static SharedValues? _current;

    // The last closed scope's table, emptied: the next compilation takes it and fills it again instead of allocating
    // new ones. At 5,000 services the tables are megabytes of large-object arrays, and allocating them anew for every
    // compilation made the runtime start a full (background) collection each time, on top of the ephemeral ones.
    // Emptied means no entry refers to anything, so no value outlives its plan; only the arrays stay. One table for the
    // process, not one per thread (a service compiles on whichever pool thread runs the request, so per-thread tables
    // would pile up), and only up to the tables of MaxKeptServices (≈7 MB): concurrent compilations that find the slot
    // empty allocate their own, and the last to finish keeps its table.
    private static SharedValues? _spare;

    private const int MaxKeptServices = 10_000;

    // The services the tables are sized for.
    private int _services;

    private readonly Dictionary<string, PlanValue.Text> _texts;
    private readonly Dictionary<long, PlanValue.Number> _numbers = [];
    private readonly Dictionary<string, PlanValue.Reference> _names = new(StringComparer.Ordinal);
    private readonly HashSet<PlanValue.Map> _maps;
    private readonly HashSet<PlanValue.List> _lists;
    private readonly Dictionary<ServiceSpec, SharedLabels> _selectors = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, SharedLabels> _namespaceSelectors = new(StringComparer.Ordinal);

    // Maps and lists that hold a value made since their conversion began (a service's name, its own labels) cannot
    // equal any map or list filed before it: they are filed in these small tables instead, emptied whenever they fill.
    // Looking such a value up in the big tables was a miss that cost a cache miss or two in tables of several MB at
    // 5,000 services; these stay in the processor's cache, and equal values within a service are still one instance.
    private readonly HashSet<PlanValue.Map> _recentMaps = new(RecentCapacity, ShallowComparer.Instance);
    private readonly HashSet<PlanValue.List> _recentLists = new(RecentCapacity, ShallowComparer.Instance);
    private const int RecentCapacity = 2048;

    // Counts values handed out that the big tables did not hold before: a conversion that reads the same stamp before
    // and after its children were converted holds only values filed earlier.
    private long _stamp;

    // Sized for the distinct values a service brings to them (measured on generated environments, 2026-12-02: ≈7.5
    // texts, 11 maps and 0.7 lists per service, the service's own maps and lists going to the recent tables), with some
    // room, so the tables are not grown and copied over and over while a plan is built, nor larger than they need be.
    private const int TextsPerService = 10;
    private const int MapsPerService = 14;
    private const int ListsPerService = 2;

    private SharedValues(int services)
    {
        _services = services;
        _texts = new(services * TextsPerService, StringComparer.Ordinal);
        _maps = new(services * MapsPerService, ShallowComparer.Instance);
        _lists = new(services * ListsPerService, ShallowComparer.Instance);
    }

    /// <summary>The table of the scope open on this thread, if any.</summary>
    public static SharedValues? Current => _current;

    /// <summary>Opens a scope in which conversions share equal values; a nested scope joins the open one.</summary>
    /// <param name="services">The services of the environment being compiled: sizes the tables.</param>
    public static Scope Enter(int services = 1)
    {
        if (_current is not null)
        {
            return default;
        }

        services = Math.Clamp(services, 1, 100_000);
        if (Interlocked.Exchange(ref _spare, null) is { } spare)
        {
            spare.Reserve(services);
            _current = spare;
        }
        else
        {
            _current = new SharedValues(services);
        }

        return new Scope(owner: true);
    }

    private void Reserve(int services)
    {
        _services = Math.Max(_services, services);
        _texts.EnsureCapacity(services * TextsPerService);
        _maps.EnsureCapacity(services * MapsPerService);
        _lists.EnsureCapacity(services * ListsPerService);
    }

    private void Clear()
    {
        _recentMaps.Clear();
        _recentLists.Clear();
        _texts.Clear();
        _numbers.Clear();
        _names.Clear();
        _maps.Clear();
        _lists.Clear();
        _selectors.Clear();
        _namespaceSelectors.Clear();
    }

    /// <summary>The one <see cref="PlanValue.Text"/> of <paramref name="text"/> in this scope.</summary>
    public PlanValue.Text Text(string text)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_texts, text, out _);
        if (slot is null)
        {
            _stamp++;
            slot = new PlanValue.Text(text);
        }

        return slot;
    }

    /// <summary>The one <see cref="PlanValue.Number"/> of <paramref name="number"/> in this scope.</summary>
    public PlanValue.Number Number(long number)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_numbers, number, out _);
        if (slot is null)
        {
            _stamp++;
            slot = new PlanValue.Number(number);
        }

        return slot;
    }

    /// <summary>
    /// The one reference to <paramref name="resource"/>'s <c>metadata.name</c> in this scope: every service that loads
    /// a resource's connection object refers to its name, and equal envFrom entries are then one instance.
    /// </summary>
    public PlanValue.Reference NameOf(string resource)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_names, resource, out _);
        if (slot is null)
        {
            _stamp++;
            slot = (PlanValue.Reference)PlanValue.Ref(resource, "metadata.name");
        }

        return slot;
    }

    /// <summary>Where conversions stand: pass it to <see cref="Map"/> or <see cref="List(ReadOnlySpan{PlanValue}, long)"/> once the children are converted.</summary>
    public long Stamp => _stamp;

    /// <summary>
    /// The map of these entries seen first in this scope, or a new one: a map already seen costs no allocation (more
    /// than half of a plan's maps are).
    /// </summary>
    /// <param name="entries">The entries, their values already shared.</param>
    /// <param name="stamp"><see cref="Stamp"/> before the values were converted.</param>
    public PlanValue.Map Map(ReadOnlySpan<KeyValuePair<string, PlanValue>> entries, long stamp) =>
        Share(_maps, _recentMaps, entries, stamp);

    /// <summary>
    /// The list of these items seen first in this scope, or a new one: like maps, a list already seen costs no
    /// allocation (most of a plan's lists are: ports, probes' commands, policy types, volume mounts).
    /// </summary>
    /// <param name="items">The items, already shared.</param>
    /// <param name="stamp"><see cref="Stamp"/> before the items were converted.</param>
    public PlanValue.List List(ReadOnlySpan<PlanValue> items, long stamp) =>
        Share(_lists, _recentLists, items, stamp);

    // The value equal to `key` in the big table (looked for only if nothing was made since `stamp`: otherwise it cannot
    // be there) or among the recent ones (filed by an earlier object of the same service: its name was new then); else
    // a new one, filed in the recent table if it holds something made since `stamp`, in the big one otherwise.
    private T Share<T, TKey>(HashSet<T> filed, HashSet<T> recentlyFiled, TKey key, long stamp)
        where TKey : allows ref struct
    {
        var recent = stamp != _stamp;
        if (!recent && filed.GetAlternateLookup<TKey>().TryGetValue(key, out var shared))
        {
            return shared;
        }

        if (recentlyFiled.GetAlternateLookup<TKey>().TryGetValue(key, out shared))
        {
            _stamp++;
            return shared;
        }

        var value = ((IAlternateEqualityComparer<TKey, T>)filed.Comparer).Create(key);
        _stamp++;
        if (recent && recentlyFiled.Count == RecentCapacity)
        {
            recentlyFiled.Clear();
        }

        (recent ? recentlyFiled : filed).Add(value);
        return value;
    }

    /// <summary>The list equal to <paramref name="list"/> seen first in this scope (<paramref name="list"/> if none).</summary>
    public PlanValue.List List(PlanValue.List list)
    {
        if (_lists.Add(list))
        {
            _stamp++;
            return list;
        }

        return _lists.TryGetValue(list, out var shared) ? shared : list;
    }

    /// <summary>
    /// The labels that select <paramref name="service"/>'s pods, one instance in this scope: the service's own objects
    /// and every network policy that names it as a peer carry them, so they are made and converted once.
    /// </summary>
    public SharedLabels Selector(EnvironmentSpec spec, ServiceSpec service)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_selectors, service, out _);
        return slot ??= WorkloadLabels.NewSelector(spec, service);
    }

    /// <summary>The labels that select namespace <paramref name="name"/>, one instance in this scope.</summary>
    public SharedLabels NamespaceSelector(string name)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_namespaceSelectors, name, out _);
        return slot ??= NetworkPolicies.NewNamespaceSelector(name);
    }

    /// <summary>Closes the scope that opened the table; a joined scope's dispose does nothing.</summary>
    public readonly struct Scope(bool owner) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            if (owner && _current is { } table)
            {
                _current = null;
                table.Clear();
                if (table._services <= MaxKeptServices)
                {
                    Volatile.Write(ref _spare, table);
                }
            }
        }
    }

    /// <summary>Equality by keys and by the identity of children (which are shared before their parents).</summary>
    private sealed class ShallowComparer :
        IEqualityComparer<PlanValue.Map>,
        IEqualityComparer<PlanValue.List>,
        IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, PlanValue>>, PlanValue.Map>,
        IAlternateEqualityComparer<ReadOnlySpan<PlanValue>, PlanValue.List>
    {
        public static readonly ShallowComparer Instance = new();

        public bool Equals(PlanValue.Map? x, PlanValue.Map? y) =>
            x is null || y is null ? ReferenceEquals(x, y) : Same(x.Entries.AsSpan(), y);

        public int GetHashCode(PlanValue.Map obj) => obj.SharedHash is not 0 and var known ? known : obj.SharedHash = Hash(obj.Entries.AsSpan());

        public bool Equals(ReadOnlySpan<KeyValuePair<string, PlanValue>> alternate, PlanValue.Map other) => Same(alternate, other);

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, PlanValue>> alternate) => Hash(alternate);

        public PlanValue.Map Create(ReadOnlySpan<KeyValuePair<string, PlanValue>> alternate) =>
            new(ImmutableCollectionsMarshal.AsImmutableArray(alternate.ToArray()));

        private static bool Same(ReadOnlySpan<KeyValuePair<string, PlanValue>> a, PlanValue.Map other)
        {
            var b = other.Entries.AsSpan();
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (!ReferenceEquals(a[i].Value, b[i].Value) || !string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        // Never 0, which marks a hash not computed yet.
        private static int Hash(ReadOnlySpan<KeyValuePair<string, PlanValue>> entries)
        {
            var hash = default(HashCode);
            foreach (var (key, value) in entries)
            {
                hash.Add(key.Length);
                hash.Add(HashOf(value));
            }

            return hash.ToHashCode() is not 0 and var computed ? computed : 1;
        }

        // A child's hash by its content, never by its identity: an object's first identity hash is a call into the runtime
        // that writes the object's header, and at 5,000 services those calls were a fifth of the Kubernetes planner's time.
        // Equal children are one instance here, so hashing the content files them just as well.
        private static int HashOf(PlanValue value) => value switch
        {
            PlanValue.Text text => text.Value.GetHashCode(StringComparison.Ordinal),
            PlanValue.Number number => number.Value.GetHashCode(),
            PlanValue.Bool flag => flag.Value ? 1 : 2,
            PlanValue.Map map => Instance.GetHashCode(map),
            PlanValue.List list => Instance.GetHashCode(list),
            _ => RuntimeHelpers.GetHashCode(value),
        };

        public bool Equals(PlanValue.List? x, PlanValue.List? y) =>
            x is null || y is null ? ReferenceEquals(x, y) : Same(x.Items.AsSpan(), y.Items.AsSpan());

        public int GetHashCode(PlanValue.List obj) => obj.SharedHash is not 0 and var known ? known : obj.SharedHash = Hash(obj.Items.AsSpan());

        public bool Equals(ReadOnlySpan<PlanValue> alternate, PlanValue.List other) => Same(alternate, other.Items.AsSpan());

        public int GetHashCode(ReadOnlySpan<PlanValue> alternate) => Hash(alternate);

        public PlanValue.List Create(ReadOnlySpan<PlanValue> alternate) =>
            new(ImmutableCollectionsMarshal.AsImmutableArray(alternate.ToArray()));

        // Never 0, which marks a hash not computed yet.
        private static int Hash(ReadOnlySpan<PlanValue> items)
        {
            var hash = default(HashCode);
            foreach (var item in items)
            {
                hash.Add(HashOf(item));
            }

            return hash.ToHashCode() is not 0 and var computed ? computed : 1;
        }

        private static bool Same(ReadOnlySpan<PlanValue> a, ReadOnlySpan<PlanValue> b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (!ReferenceEquals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
