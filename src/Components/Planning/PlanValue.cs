using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Components.Planning;

/// <summary>
/// A value in a resource plan: plain data, or something only known at deployment time
/// (another resource's output, a stack config entry), or a secret. Back-ends translate these:
/// the YAML renderer to <c>${res.prop}</c> and <c>fn::secret</c>, the Pulumi binding to <c>Output</c>s.
/// </summary>
public abstract record PlanValue
{
    private protected PlanValue()
    {
    }

    /// <summary>The JSON <c>null</c>.</summary>
    public static PlanValue Null { get; } = new NullValue();

    /// <summary>Wraps a string.</summary>
    public static implicit operator PlanValue(string value) => new Text(value);

    /// <summary>Wraps an integer.</summary>
    public static implicit operator PlanValue(int value) => new Number(value);

    /// <summary>Wraps a boolean.</summary>
    public static implicit operator PlanValue(bool value) => new Bool(value);

    /// <summary>A reference to another resource's output property (<c>${resource.property}</c>).</summary>
    public static PlanValue Ref(string resource, string property) => new Reference(resource, property);

    /// <summary>A reference to a stack config entry declared in the plan.</summary>
    public static PlanValue Config(string key) => new ConfigReference(key);

    /// <summary>Marks a value secret: encrypted in state, masked in output.</summary>
    public static PlanValue SecretOf(PlanValue value) => value as Secret ?? new Secret(value);

    /// <summary>String interpolation: the parts' string forms concatenated.</summary>
    /// <remarks>
    /// One reference alone (with nothing but empty parts around it) is no interpolation in Pulumi YAML: it reads as the
    /// referenced value with its own type, so the YAML renderer refuses it. Use <see cref="Ref"/> for the value itself.
    /// </remarks>
    public static PlanValue Concat(params PlanValue[] parts) => new Interpolation([.. parts]);

    /// <summary>The JSON text of a structured value (policy documents, redrive policies).</summary>
    public static PlanValue ToJson(PlanValue value) => new Json(value);

    /// <summary>
    /// Converts plain .NET data to a plan value: strings, numbers, booleans, dictionaries (keys in the order given),
    /// sequences, <see cref="JsonNode"/> trees and plan values themselves.
    /// </summary>
    public static PlanValue From(object? value) => value switch
    {
        null => Null,
        PlanValue v => v,
        string s => new Text(s),
        bool b => new Bool(b),
        int i => new Number(i),
        long l => new Number(l),
        decimal d => new Number(d),
        double d => new Number((decimal)d),
        JsonNode node => FromJson(node),
        IEnumerable<KeyValuePair<string, PlanValue>> pairs => new Map([.. pairs]),
        IEnumerable<KeyValuePair<string, string>> pairs => new Map([.. pairs.Select(p => KeyValuePair.Create(p.Key, (PlanValue)p.Value))]),
        IEnumerable<KeyValuePair<string, object?>> pairs => new Map([.. pairs.Select(p => KeyValuePair.Create(p.Key, From(p.Value)))]),
        IDictionary dict => new Map([.. dict.Keys.Cast<object>().Select(k => KeyValuePair.Create(Convert.ToString(k, CultureInfo.InvariantCulture)!, From(dict[k])))]),
        IEnumerable items => new List([.. items.Cast<object?>().Select(From)]),
        _ => throw new ArgumentException($"A {value.GetType().Name} cannot be a plan value.", nameof(value)),
    };

    /// <summary>Converts a JSON tree, keeping property order.</summary>
    public static PlanValue FromJson(JsonNode? node) => node switch
    {
        null => Null,
        JsonObject o => new Map([.. o.Select(p => KeyValuePair.Create(p.Key, FromJson(p.Value)))]),
        JsonArray a => new List([.. a.Select(FromJson)]),
        JsonValue v when v.TryGetValue(out bool b) => new Bool(b),
        JsonValue v when v.TryGetValue(out string? s) => new Text(s),
        JsonValue v when v.TryGetValue(out long l) => new Number(l),
        JsonValue v when v.TryGetValue(out decimal d) => new Number(d),
        _ => new Text(node.ToJsonString()),
    };

    /// <summary>Whether this value, or anything inside it, is secret.</summary>
    public abstract bool ContainsSecret { get; }

    /// <summary>Every resource this value refers to, directly or nested.</summary>
    public IEnumerable<string> ReferencedResources() => Walk().OfType<Reference>().Select(r => r.Resource);

    /// <summary>This value and every value nested in it, depth first.</summary>
    public IEnumerable<PlanValue> Walk()
    {
        // One explicit stack instead of an iterator per nesting level: walking is linear in the values, not in
        // values times depth (plans of thousands of services walk every input several times).
        var pending = new Stack<PlanValue>();
        pending.Push(this);
        while (pending.TryPop(out var value))
        {
            yield return value;
            switch (value)
            {
                case Map map:
                    for (var i = map.Entries.Length - 1; i >= 0; i--)
                    {
                        pending.Push(map.Entries[i].Value);
                    }

                    break;
                case List list:
                    for (var i = list.Items.Length - 1; i >= 0; i--)
                    {
                        pending.Push(list.Items[i]);
                    }

                    break;
                case Interpolation interpolation:
                    for (var i = interpolation.Parts.Length - 1; i >= 0; i--)
                    {
                        pending.Push(interpolation.Parts[i]);
                    }

                    break;
                case Secret secret:
                    pending.Push(secret.Value);
                    break;
                case Json json:
                    pending.Push(json.Value);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>JSON <c>null</c>.</summary>
    public sealed record NullValue : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>A string.</summary>
    public sealed record Text(string Value) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>A number.</summary>
    public sealed record Number(decimal Value) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>A boolean.</summary>
    public sealed record Bool(bool Value) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>An ordered list.</summary>
    public sealed record List(ImmutableArray<PlanValue> Items) : PlanValue
    {
        // A copy (`with`) may hold other items, so the hash the sharing table computed is not copied.
        private List(List original)
            : base(original) => Items = original.Items;

        /// <summary>The hash a compilation's table of shared values files this list under (0: not computed yet).</summary>
        internal int SharedHash { get; set; }

        /// <inheritdoc />
        public override bool ContainsSecret => Items.Any(i => i.ContainsSecret);


        /// <inheritdoc />
        public bool Equals(List? other) => other is not null && Items.SequenceEqual(other.Items);

        /// <inheritdoc />
        public override int GetHashCode() => Items.Aggregate(17, (h, i) => HashCode.Combine(h, i));
    }

    /// <summary>A mapping whose keys keep the order they were added in (so rendered output reads naturally).</summary>
    /// <remarks>
    /// Loops over every value of a plan read <c>Entries.AsSpan()</c>: a <c>foreach</c> over the array itself calls its
    /// struct enumerator's methods per entry, generic code that no precompiled (ReadyToRun) image holds, so a short-lived
    /// <c>platform render</c> ran them unoptimized, ≈4 % of its CPU at 1,000 services (perf, 2026-12-02).
    /// </remarks>
    public sealed record Map(ImmutableArray<KeyValuePair<string, PlanValue>> Entries) : PlanValue
    {
        // A copy (`with`) may hold other entries, so the hash the sharing table computed is not copied.
        private Map(Map original)
            : base(original) => Entries = original.Entries;

        /// <summary>The hash a compilation's table of shared values files this map under (0: not computed yet).</summary>
        internal int SharedHash { get; set; }

        /// <summary>An empty map.</summary>
        public static Map Empty { get; } = new([]);

        /// <inheritdoc />
        public override bool ContainsSecret => Entries.Any(e => e.Value.ContainsSecret);


        /// <summary>The value under <paramref name="key"/>, or <see langword="null"/>.</summary>
        public PlanValue? this[string key] => IndexOf(key) is var i and >= 0 ? Entries[i].Value : null;

        /// <summary>
        /// Returns a copy with the value at a dotted path (<c>metadata.annotations.x</c>) replaced or added,
        /// creating intermediate maps. Segments are split on '.', so keys containing dots are addressed as a
        /// final segment with <paramref name="leafKey"/>.
        /// </summary>
        public Map With(string path, PlanValue value, string? leafKey = null)
        {
            var segments = path.Length == 0 ? [] : path.Split('.');
            if (leafKey is not null)
            {
                segments = [.. segments, leafKey];
            }

            return SetPath(this, segments, value);
        }

        /// <summary>Returns a copy without <paramref name="key"/>.</summary>
        public Map Without(string key) => new([.. Entries.Where(e => e.Key != key)]);

        private static Map SetPath(Map map, ReadOnlySpan<string> segments, PlanValue value)
        {
            var key = segments[0];
            var index = map.IndexOf(key);
            var existing = index < 0 ? null : map.Entries[index].Value;
            var replacement = segments.Length == 1
                ? value
                : SetPath(existing as Map ?? Empty, segments[1..], value);
            return index < 0
                ? new Map(map.Entries.Add(KeyValuePair.Create(key, replacement)))
                : new Map(map.Entries.SetItem(index, KeyValuePair.Create(key, replacement)));
        }

        /// <summary>The value under <paramref name="key"/>, or <see langword="null"/>.</summary>
        internal PlanValue? Find(ReadOnlySpan<char> key)
        {
            foreach (var entry in Entries)
            {
                if (key.SequenceEqual(entry.Key))
                {
                    return entry.Value;
                }
            }

            return null;
        }

        // By key only: comparing whole entries would compare values with record equality, deep and slow.
        private int IndexOf(string key)
        {
            for (var i = 0; i < Entries.Length; i++)
            {
                if (string.Equals(Entries[i].Key, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <inheritdoc />
        public bool Equals(Map? other) =>
            other is not null && Entries.Length == other.Entries.Length &&
            Entries.Zip(other.Entries).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

        /// <inheritdoc />
        public override int GetHashCode() => Entries.Aggregate(17, (h, e) => HashCode.Combine(h, e.Key, e.Value));
    }

    /// <summary>Another resource's output property, known only after that resource is created.</summary>
    /// <param name="Resource">Logical name of the resource in the same plan.</param>
    /// <param name="Property">Output property path, e.g. <c>arn</c> or <c>metadata.name</c>.</param>
    public sealed record Reference(string Resource, string Property) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>A stack config entry declared in <see cref="ResourcePlan.Config"/>.</summary>
    public sealed record ConfigReference(string Key) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => false;
    }

    /// <summary>A value that is encrypted in state and never shown.</summary>
    public sealed record Secret(PlanValue Value) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => true;

    }

    /// <summary>A string built from parts, some of which may be references.</summary>
    public sealed record Interpolation(ImmutableArray<PlanValue> Parts) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => Parts.Any(p => p.ContainsSecret);


        /// <inheritdoc />
        public bool Equals(Interpolation? other) => other is not null && Parts.SequenceEqual(other.Parts);

        /// <inheritdoc />
        public override int GetHashCode() => Parts.Aggregate(17, (h, i) => HashCode.Combine(h, i));
    }

    /// <summary>The JSON text of a structured value, for inputs the provider takes as JSON strings.</summary>
    public sealed record Json(PlanValue Value) : PlanValue
    {
        /// <inheritdoc />
        public override bool ContainsSecret => Value.ContainsSecret;

    }
}
