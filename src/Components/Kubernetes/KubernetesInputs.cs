using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>Turns a typed <c>k8s.Models</c> object into resource inputs, so every property name is the API's own.</summary>
internal static class KubernetesInputs
{
    // The client's own serializer options: the wire names, the order and the leaf converters (quantities,
    // int-or-string) come from its contract, so the inputs are what KubernetesJson.Serialize would write.
    private static readonly JsonSerializerOptions WireOptions = ClientOptions();

    // Per model type: its contract. The client's options are never made read-only, and on such options
    // System.Text.Json builds a type's contract again on every GetTypeInfo call (no caching), which was most of
    // planning's cost; contracts do not change once built, so they are kept here.
    private static readonly ConcurrentDictionary<Type, JsonTypeInfo> Contracts = new();

    // Per model type: its serialized properties, already in reading order (see LeadingKeys).
    private static readonly ConcurrentDictionary<Type, JsonPropertyInfo[]> OrderedProperties = new();

    /// <summary>
    /// Converts <paramref name="model"/> by walking the client's serialization contract once (nulls omitted,
    /// quantities and int-or-string values in their wire form, keys in reading order) and drops
    /// <c>apiVersion</c>/<c>kind</c>: the type token implies them. No JSON text is written or parsed, except for the
    /// few leaf values the client writes with a converter of its own.
    /// </summary>
    public static PlanValue.Map From(object model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Convert(model, root: true) as PlanValue.Map
            ?? throw new ArgumentException("A Kubernetes object serializes to a JSON object.", nameof(model));
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

    private static PlanValue Convert(object? value, bool root = false)
    {
        switch (value)
        {
            case null:
                return PlanValue.Null;
            case string text:
                return new PlanValue.Text(text);
            case bool flag:
                return new PlanValue.Bool(flag);
            case int number:
                return new PlanValue.Number(number);
            case long number:
                return new PlanValue.Number(number);
            default:
                break;
        }

        var info = Contracts.GetOrAdd(value.GetType(), WireOptions.GetTypeInfo);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var properties = OrderedProperties.GetOrAdd(info.Type, _ => [.. info.Properties.Where(p => p.Get is not null).OrderBy(p => Ranks.Of(p.Name))]);
                var entries = ImmutableArray.CreateBuilder<KeyValuePair<string, PlanValue>>(properties.Length);
                foreach (var property in properties)
                {
                    if (root && property.Name is "apiVersion" or "kind")
                    {
                        continue;
                    }

                    var propertyValue = property.Get!(value);
                    if (propertyValue is null || property.ShouldSerialize?.Invoke(value, propertyValue) == false)
                    {
                        continue;
                    }

                    entries.Add(KeyValuePair.Create(property.Name, Convert(propertyValue)));
                }

                return new PlanValue.Map(entries.DrainToImmutable());
            case JsonTypeInfoKind.Dictionary:
                var pairs = new List<KeyValuePair<string, PlanValue>>();
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    pairs.Add(KeyValuePair.Create(System.Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!, Convert(entry.Value)));
                }

                return new PlanValue.Map([.. pairs.OrderBy(p => Ranks.Of(p.Key))]);
            case JsonTypeInfoKind.Enumerable:
                var items = ImmutableArray.CreateBuilder<PlanValue>();
                foreach (var item in (IEnumerable)value)
                {
                    items.Add(Convert(item));
                }

                return new PlanValue.List(items.DrainToImmutable());
            default:
                // A leaf the client writes with its own converter (a quantity, an int-or-string): its wire form.
                return PlanValue.FromJson(JsonSerializer.SerializeToNode(value, info));
        }
    }

    /// <summary>
    /// Like <see cref="From"/>, and points <c>metadata.namespace</c> at the environment's namespace resource, so
    /// every namespaced object is created after the namespace (and deleted before it).
    /// </summary>
    /// <remarks>Set <c>metadata.namespace</c> on the model (to anything) to keep the key where the model puts it.</remarks>
    public static PlanValue.Map Namespaced(object model) =>
        From(model).With("metadata.namespace", PlanValue.Ref(LogicalNames.Namespace, "metadata.name"));

    private static JsonSerializerOptions ClientOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("The Kubernetes client gave no serializer options.");
    }

    /// <summary>The rank of a key in <see cref="LeadingKeys"/>; every other key ranks after them all.</summary>
    private sealed class FrozenRanks(string[] keys)
    {
        private readonly FrozenDictionary<string, int> _ranks =
            keys.Select((k, i) => KeyValuePair.Create(k, i)).ToFrozenDictionary(StringComparer.Ordinal);

        public int Of(string key) => _ranks.TryGetValue(key, out var rank) ? rank : _ranks.Count;
    }
}
