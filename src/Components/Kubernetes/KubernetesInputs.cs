using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>Turns a typed <c>k8s.Models</c> object into resource inputs, so every property name is the API's own.</summary>
internal static class KubernetesInputs
{
    // The client's own serializer options: the leaf values it writes with converters of its own (quantities,
    // int-or-string) are written through them, so those inputs are what KubernetesJson.Serialize would write.
    // Built on first use: building them runs the client's serializer set-up (its source-generated context), which
    // a short process such as `platform render` pays for nothing when no such leaf is converted (none of the
    // golden paths' objects has one).
    private static JsonSerializerOptions WireOptions => LazyInitializer.EnsureInitialized(ref _wireOptions, ClientOptions);

    private static JsonSerializerOptions? _wireOptions;

    // Per type: how to read it. Built once per type from the models' own [JsonPropertyName] attributes.
    // System.Text.Json's contracts (what KubernetesJson.Serialize walks) were the first way, but building them is
    // most of a short process's cost: rendering a 12-service environment spent over half its CPU configuring
    // contracts of the models (profiled, 2026-12-01). KubernetesInputsTests holds this walk to KubernetesJson's
    // output for every model type the planners build.
    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>
    /// Converts <paramref name="model"/> as KubernetesJson would serialize it (nulls omitted, quantities and
    /// int-or-string values in their wire form, keys in reading order) and drops <c>apiVersion</c>/<c>kind</c>:
    /// the type token implies them. No JSON text is written or parsed, except for the few leaf values the client
    /// writes with a converter of its own.
    /// </summary>
    public static PlanValue.Map From(object model) => Root(model, inNamespace: null);

    private static PlanValue.Map Root(object model, PlanValue? inNamespace)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shape = Shapes.GetOrAdd(model.GetType(), Shape.Of);
        return shape.Kind == ShapeKind.Object
            ? ConvertObject(model, shape, root: true, inNamespace)
            : throw new ArgumentException("A Kubernetes object serializes to a JSON object.", nameof(model));
    }

    // The models serialize properties alphabetically. People write identity first (metadata, name, labels), then
    // what a block is (type, image), then who it selects or targets, then the details: these keys lead, in this
    // order, wherever they appear; the rest stay alphabetical.
    private static readonly string[] LeadingKeys =
    [
        "metadata", "apiVersion", "kind", "name", "namespace", "labels", "annotations", "type", "image", "imagePullPolicy",
        "command", "args", "schedule", "podSelector", "policyTypes", "ingress", "egress", "from", "to", "scaleTargetRef",
        "minReplicas", "maxReplicas", "replicas", "selector", "host", "path", "pathType", "ports", "envFrom", "resources",
        "httpGet", "tcpSocket", "startupProbe", "readinessProbe", "livenessProbe", "serviceAccountName", "securityContext",
        "containers", "volumeMounts", "volumes",
    ];

    private static readonly FrozenRanks Ranks = new(LeadingKeys);

    [ThreadStatic]
    private static List<KeyValuePair<string, PlanValue>>? _scratch;

    [ThreadStatic]
    private static List<PlanValue>? _items;

    private static readonly PlanValue True = new PlanValue.Bool(true);
    private static readonly PlanValue False = new PlanValue.Bool(false);

    // Within a compilation, equal values are one instance (SharedValues); outside one, every value is new.
    private static PlanValue.List Shared(PlanValue.List list) => SharedValues.Current?.List(list) ?? list;

    private static PlanValue Convert(object? value)
    {
        switch (value)
        {
            case null:
                return PlanValue.Null;
            case string text:
                return SharedValues.Current?.Text(text) ?? new PlanValue.Text(text);
            case bool flag:
                return flag ? True : False;
            case int number:
                return SharedValues.Current?.Number(number) ?? new PlanValue.Number(number);
            case long number:
                return SharedValues.Current?.Number(number) ?? new PlanValue.Number(number);
            default:
                break;
        }

        // One lookup by type decides (type tests against the client's unsealed records cost a hierarchy walk each).
        var shape = Shapes.GetOrAdd(value.GetType(), Shape.Of);
        switch (shape.Kind)
        {
            case ShapeKind.Object:
                return ConvertObject(value, shape, root: false, inNamespace: null);
            case ShapeKind.SharedLabels:
                // Labels several objects carry: read-only, so converted once (a race converts twice, to equal values).
                var shared = (SharedLabels)value;
                return shared.Converted ??= ConvertDictionary(shared.Labels);
            case ShapeKind.Quantity:
                // What the client's ResourceQuantityJsonConverter writes (kubernetes-client/csharp,
                // src/KubernetesClient/Models/ResourceQuantityJsonConverter.cs: value.ToString()): the canonical string. Canonicalizing is
                // arithmetic on big integers, and the planners share one instance per quantity (ComputeSizing).
                return Quantities.GetValue((ResourceQuantity)value, static q => new PlanValue.Text(q.ToString()));
            case ShapeKind.IntOrString:
                // What the client's IntOrStringJsonConverter writes (src/KubernetesClient/Models/IntOrStringJsonConverter.cs:
                // long.TryParse, else the text): a number when the text parses as one.
                var port = ((IntOrString)value).Value;
                return port is null ? PlanValue.Null
                    : long.TryParse(port, out var parsed) ? Convert(parsed) : Convert(port);
            case ShapeKind.Dictionary:
                return ConvertDictionary(value);
            case ShapeKind.Sequence:
                if (value is IList list)
                {
                    return ConvertList(list);
                }

                var items = ImmutableArray.CreateBuilder<PlanValue>((value as ICollection)?.Count ?? 4);
                foreach (var item in (IEnumerable)value)
                {
                    items.Add(Convert(item));
                }

                return Shared(new PlanValue.List(items.Count == items.Capacity ? items.MoveToImmutable() : items.ToImmutable()));
            default:
                // A leaf the client writes with its own converter (bytes as base64, times): its wire form.
                return PlanValue.FromJson(JsonSerializer.SerializeToNode(value, value.GetType(), WireOptions));
        }
    }

    /// <summary>
    /// An object's set properties in reading order. With <paramref name="inNamespace"/>, <c>metadata.namespace</c> is
    /// that value: where the model sets it, in its place; otherwise last in <c>metadata</c> (a <c>metadata</c> made
    /// for it goes last in the root), as <see cref="PlanValue.Map.With"/> would put it.
    /// </summary>
    private static PlanValue.Map ConvertObject(object value, Shape shape, bool root, PlanValue? inNamespace)
    {
        // Entries gather on a per-thread stack (a nested object's entries above its parent's, gone once it is
        // built) and are copied out at their final count: a model declares dozens of properties and sets few.
        var scratch = _scratch ??= new List<KeyValuePair<string, PlanValue>>(256);
        var start = scratch.Count;
        var table = root ? null : SharedValues.Current;
        var stamp = table?.Stamp ?? 0;
        var placed = false;
        foreach (var property in shape.Properties)
        {
            if (root && property.IsTypeMeta)
            {
                continue;
            }

            // The client writes no nulls (JsonIgnoreCondition.WhenWritingNull); defaults (false, 0) are written.
            if (property.Get(value) is not { } propertyValue)
            {
                continue;
            }

            PlanValue converted;
            if (_replacement is { } replacement && replacement.TryTake(value, property.Name, out var replaced))
            {
                converted = replaced;
            }
            else if (inNamespace is null)
            {
                converted = Convert(propertyValue);
            }
            else if (root && property.Name == "metadata" && Shapes.GetOrAdd(propertyValue.GetType(), Shape.Of) is { Kind: ShapeKind.Object } metadata)
            {
                converted = ConvertObject(propertyValue, metadata, root: false, inNamespace);
                placed = true;
            }
            else if (!root && property.Name == "namespace")
            {
                converted = inNamespace;
                placed = true;
            }
            else
            {
                converted = Convert(propertyValue);
            }

            scratch.Add(KeyValuePair.Create(property.Name, converted));
        }

        if (inNamespace is not null && !placed)
        {
            scratch.Add(root
                ? KeyValuePair.Create("metadata", (PlanValue)new PlanValue.Map([KeyValuePair.Create("namespace", inNamespace)]))
                : KeyValuePair.Create("namespace", inNamespace));
        }

        return PopMap(scratch, start, table, stamp);
    }

    // The entries above `start` on the scratch stack as one map (shared within a compilation: `stamp` is the table's
    // stamp before they were converted), taken off the stack.
    private static PlanValue.Map PopMap(List<KeyValuePair<string, PlanValue>> scratch, int start, SharedValues? table, long stamp)
    {
        var entries = CollectionsMarshal.AsSpan(scratch)[start..];
        var map = table is not null
            ? table.Map(entries, stamp)
            : new PlanValue.Map(ImmutableCollectionsMarshal.AsImmutableArray(entries.ToArray()));
        scratch.RemoveRange(start, entries.Length);
        return map;
    }

    // A list's items gather on a per-thread stack like an object's entries (indexed, so no enumerator is allocated):
    // a list already seen in the compilation is then found without allocating its items.
    private static PlanValue.List ConvertList(IList list)
    {
        var scratch = _items ??= new List<PlanValue>(64);
        var start = scratch.Count;
        var table = SharedValues.Current;
        var stamp = table?.Stamp ?? 0;
        for (var i = 0; i < list.Count; i++)
        {
            // Converted before it is pushed: a nested list's items go above this list's and are gone again.
            var converted = Convert(list[i]);
            scratch.Add(converted);
        }

        var items = CollectionsMarshal.AsSpan(scratch)[start..];
        var shared = table is not null
            ? table.List(items, stamp)
            : new PlanValue.List(ImmutableCollectionsMarshal.AsImmutableArray(items.ToArray()));
        scratch.RemoveRange(start, items.Length);
        return shared;
    }

    // A dictionary's entries, in reading order, gathered on the per-thread stack like an object's: a map already seen
    // in the compilation (sizing, selectors) is then found without allocating its entries. String-keyed dictionaries
    // (labels, data, quantities) are enumerated without boxing.
    private static PlanValue.Map ConvertDictionary(object value)
    {
        var scratch = _scratch ??= new List<KeyValuePair<string, PlanValue>>(256);
        var start = scratch.Count;
        var table = SharedValues.Current;
        var stamp = table?.Stamp ?? 0;
        switch (value)
        {
            case Dictionary<string, string> texts:
                foreach (var (key, text) in texts)
                {
                    scratch.Add(KeyValuePair.Create(key,
                        _replacement is { } replacement && replacement.TryTake(texts, key, out var replaced) ? replaced
                        : text is null ? PlanValue.Null : Convert(text)));
                }

                break;
            case Dictionary<string, ResourceQuantity> quantities:
                foreach (var (key, quantity) in quantities)
                {
                    scratch.Add(KeyValuePair.Create(key, Convert(quantity)));
                }

                break;
            default:
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    // Converted before it is pushed: a nested object's entries go above this dictionary's and are gone again.
                    var converted = Convert(entry.Value);
                    scratch.Add(KeyValuePair.Create(System.Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!, converted));
                }

                break;
        }

        InReadingOrder(CollectionsMarshal.AsSpan(scratch)[start..]);
        return PopMap(scratch, start, table, stamp);
    }

    /// <summary>
    /// Like <see cref="From"/>, and points <c>metadata.namespace</c> at the environment's namespace resource, so
    /// every namespaced object is created after the namespace (and deleted before it).
    /// </summary>
    /// <remarks>Set <c>metadata.namespace</c> on the model (to anything) to keep the key where the model puts it.</remarks>
    public static PlanValue.Map Namespaced(object model) => Root(model, NamespaceName);

    /// <summary>
    /// Like <see cref="Namespaced(object)"/>, with the value of one property (or dictionary key) of one object inside
    /// <paramref name="model"/> converted as <paramref name="value"/>: what <see cref="PlanValue.Map.With"/> would give
    /// for a key the model sets (a placeholder), without converting the maps on its path twice. Those copies were
    /// garbage the moment they were made, and the first ones stayed in the compilation's table of shared values.
    /// </summary>
    /// <param name="model">The object to convert.</param>
    /// <param name="owner">The object (a model or a dictionary) inside <paramref name="model"/> whose key is replaced.</param>
    /// <param name="key">The wire name of the property, or the dictionary key; the owner must set it.</param>
    /// <param name="value">What the key holds in the inputs (a reference, typically).</param>
    public static PlanValue.Map Namespaced(object model, object owner, string key, PlanValue value) =>
        Namespaced(model, [new KeyReplacement(owner, key, value)]);

    /// <summary>
    /// Like <see cref="Namespaced(object, object, string, PlanValue)"/>, with several keys replaced (each of its own
    /// object): a pod template's service account and every object its <c>envFrom</c> loads, say.
    /// </summary>
    /// <param name="model">The object to convert.</param>
    /// <param name="replacements">Each object, key and value; every key must be set on its object inside <paramref name="model"/>.</param>
    public static PlanValue.Map Namespaced(object model, IReadOnlyList<KeyReplacement> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        foreach (var replacement in replacements)
        {
            ArgumentNullException.ThrowIfNull(replacement.Owner);
            ArgumentNullException.ThrowIfNull(replacement.Key);
            ArgumentNullException.ThrowIfNull(replacement.Value);
        }

        var outer = _replacement;
        _replacement = new Replacement(replacements);
        try
        {
            var inputs = Root(model, NamespaceName);
            return _replacement.Missing is not { } missing ? inputs
                : throw new ArgumentException($"The model has no '{missing.Key}' set on the object given.", nameof(replacements));
        }
        finally
        {
            _replacement = outer;
        }
    }

    /// <summary>A key of one object inside a model, and what it holds in the inputs instead of the model's placeholder.</summary>
    /// <param name="Owner">The object (a model or a dictionary) whose key is replaced.</param>
    /// <param name="Key">The wire name of the property, or the dictionary key.</param>
    /// <param name="Value">What the key holds in the inputs.</param>
    internal sealed record KeyReplacement(object Owner, string Key, PlanValue Value);

    /// <summary>Keys of given objects converted as given values (<see cref="Namespaced(object, IReadOnlyList{KeyReplacement})"/>).</summary>
    private sealed class Replacement(IReadOnlyList<KeyReplacement> replacements)
    {
        // A pod template replaces a handful of keys: a linear scan beats hashing the models' reference identities.
        private readonly bool[] _taken = new bool[replacements.Count];

        /// <summary>The first replacement whose key was never met, or null when every one was.</summary>
        public KeyReplacement? Missing => replacements.Where((_, i) => !_taken[i]).FirstOrDefault();

        public bool TryTake(object current, string currentKey, out PlanValue replaced)
        {
            for (var i = 0; i < replacements.Count; i++)
            {
                var replacement = replacements[i];
                if (ReferenceEquals(current, replacement.Owner) && string.Equals(currentKey, replacement.Key, StringComparison.Ordinal))
                {
                    _taken[i] = true;
                    replaced = replacement.Value;
                    return true;
                }
            }

            replaced = null!;
            return false;
        }
    }

    [ThreadStatic]
    private static Replacement? _replacement;

    private static readonly PlanValue NamespaceName = PlanValue.Ref(LogicalNames.Namespace, "metadata.name");

    // The wire form of each quantity instance, for as long as the instance lives.
    private static readonly ConditionalWeakTable<ResourceQuantity, PlanValue> Quantities = new();

    private static JsonSerializerOptions ClientOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("The Kubernetes client gave no serializer options.");
    }

    private enum ShapeKind
    {
        Leaf,
        Quantity,
        IntOrString,
        SharedLabels,
        Object,
        Dictionary,
        Sequence,
    }

    /// <summary>A model property the client serializes: its wire name and a getter.</summary>
    private sealed record ModelProperty(string Name, Func<object, object?> Get)
    {
        public bool IsTypeMeta { get; } = Name is "apiVersion" or "kind";
    }

    /// <summary>How a type is written: an object of named properties (in reading order), a map, a list or a leaf.</summary>
    private sealed record Shape(ShapeKind Kind, ModelProperty[] Properties)
    {
        private static readonly MethodInfo GetterFactory =
            typeof(Shape).GetMethod(nameof(Getter), BindingFlags.NonPublic | BindingFlags.Static)!;

        public static Shape Of(Type type)
        {
            if (type == typeof(byte[]))
            {
                return new(ShapeKind.Leaf, []); // base64 text on the wire
            }

            if (typeof(ResourceQuantity).IsAssignableFrom(type))
            {
                return new(ShapeKind.Quantity, []);
            }

            if (typeof(IntOrString).IsAssignableFrom(type))
            {
                return new(ShapeKind.IntOrString, []);
            }

            if (type == typeof(SharedLabels))
            {
                return new(ShapeKind.SharedLabels, []);
            }

            if (typeof(IDictionary).IsAssignableFrom(type))
            {
                return new(ShapeKind.Dictionary, []);
            }

            if (typeof(IEnumerable).IsAssignableFrom(type))
            {
                return new(ShapeKind.Sequence, []);
            }

            // The models are classes of k8s.Models whose every property names its wire key; types the client writes
            // with a converter (quantities, int-or-string) carry [JsonConverter] and are leaves, as is anything else.
            if (!type.IsClass || type.Namespace != "k8s.Models" || type.IsDefined(typeof(JsonConverterAttribute), inherit: true))
            {
                return new(ShapeKind.Leaf, []);
            }

            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && !p.IsDefined(typeof(JsonIgnoreAttribute), inherit: true))
                .Select(p => new ModelProperty(
                    p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                        ?? throw new NotSupportedException($"{type.Name}.{p.Name} names no wire key."),
                    // Called through a delegate, not MethodInfo.Invoke: each Invoke of a new instantiation had the runtime
                    // emit and JIT an invoke stub (55 of them in a 12-service `platform render`, DOTNET_JitDisasmSummary).
                    GetterFactory.MakeGenericMethod(type, p.PropertyType).CreateDelegate<Func<MethodInfo, Func<object, object?>>>()(p.GetMethod!)))
                .OrderBy(p => Ranks.Of(p.Name))
                .ToArray();
            return new(ShapeKind.Object, properties);
        }

        // An open-instance delegate over the property's own getter: no reflection per call, nothing emitted. Flags
        // and small numbers (replicas, ports, seconds) come back as boxes made once, not one box per read.
        private static Func<object, object?> Getter<TModel, TValue>(MethodInfo getter)
        {
            var get = getter.CreateDelegate<Func<TModel, TValue>>();
            if (get is Func<TModel, bool?> flag)
            {
                return model => flag((TModel)model) is { } value ? (value ? BoxedTrue : BoxedFalse) : null;
            }

            if (get is Func<TModel, int?> number)
            {
                return model => number((TModel)model) is { } value ? Box(value) : null;
            }

            if (get is Func<TModel, long?> longNumber)
            {
                // A property of every pod (user and group ids, deadlines) holds the same value in every object: the box
                // made last is reused while the value stays the same (a race makes another box of an equal value).
                object? last = null;
                return model =>
                {
                    if (longNumber((TModel)model) is not { } value)
                    {
                        return null;
                    }

                    // Read once: another thread may swap the box between a test and a second read.
                    var box = last;
                    return box is long known && known == value ? box : last = value;
                };
            }

            return model => get((TModel)model);
        }

        private static readonly object BoxedTrue = true;
        private static readonly object BoxedFalse = false;
        private static readonly object[] SmallNumbers = [.. Enumerable.Range(0, 1024).Select(n => (object)n)];

        private static object Box(int value) => (uint)value < (uint)SmallNumbers.Length ? SmallNumbers[value] : value;
    }

    // A stable sort by rank, in place; most maps (labels, data) hold no leading key and are left as they are.
    private static void InReadingOrder(Span<KeyValuePair<string, PlanValue>> pairs)
    {
        for (var i = 1; i < pairs.Length; i++)
        {
            var pair = pairs[i];
            var rank = Ranks.Of(pair.Key);
            var j = i - 1;
            while (j >= 0 && Ranks.Of(pairs[j].Key) > rank)
            {
                pairs[j + 1] = pairs[j];
                j--;
            }

            pairs[j + 1] = pair;
        }
    }

    /// <summary>Where <paramref name="key"/> goes among a map's keys: leading keys first, in their order.</summary>
    internal static int RankOf(string key) => Ranks.Of(key);

    /// <summary>The rank of a key in <see cref="LeadingKeys"/>; every other key ranks after them all.</summary>
    private sealed class FrozenRanks(string[] keys)
    {
        private readonly FrozenDictionary<string, int> _ranks =
            keys.Select((k, i) => KeyValuePair.Create(k, i)).ToFrozenDictionary(StringComparer.Ordinal);

        public int Of(string key) => _ranks.TryGetValue(key, out var rank) ? rank : _ranks.Count;
    }
}
