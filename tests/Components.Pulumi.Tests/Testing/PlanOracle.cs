using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Components.Planning;

namespace Platform.Components.Pulumi.Tests.Testing;

/// <summary>
/// What a plan says a resource's inputs are once deployed, computed independently of the binding: references read
/// the referenced resource's state in the mocks, config entries read the stack config (then the plan's values, then
/// defaults), secrets are their values (the engine sees them unwrapped), interpolations and JSON are text.
/// </summary>
internal sealed partial class PlanOracle(ResourcePlan plan, IReadOnlyDictionary<string, ImmutableDictionary<string, object>> states, IReadOnlyDictionary<string, string>? config = null)
{
    public JsonNode? Evaluate(PlanValue value) => value switch
    {
        PlanValue.NullValue => null,
        PlanValue.Text t => JsonValue.Create(t.Value),
        PlanValue.Number n => JsonValue.Create(n.Value),
        PlanValue.Bool b => JsonValue.Create(b.Value),
        PlanValue.List l => new JsonArray([.. l.Items.Select(Evaluate)]),
        PlanValue.Map m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key, Evaluate(e.Value)))),
        // The engine returns a resource's id beside its state; the mocks make it "<name>-id".
        PlanValue.Reference { Property: "id" } r => JsonValue.Create($"{r.Resource}-id"),
        PlanValue.Reference r => Navigate(ToJson(states[r.Resource]), r.Property)?.DeepClone(),
        PlanValue.ConfigReference c => ConfigValue(c.Key),
        PlanValue.Secret s => Evaluate(s.Value),
        PlanValue.Interpolation i => JsonValue.Create(string.Concat(i.Parts.Select(p => Text(Evaluate(p))))),
        PlanValue.Json j => JsonValue.Create(Evaluate(j.Value)?.ToJsonString() ?? "null"),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>Where a value is secret: the shallowest paths a deployment must encrypt.</summary>
    public ImmutableSortedSet<string> SecretPaths(PlanValue value, string path = "")
    {
        switch (value)
        {
            case PlanValue.Secret:
                return [path];
            case PlanValue.ConfigReference c when IsSecretConfig(c.Key):
                return [path];
            case PlanValue.Interpolation or PlanValue.Json when value.ContainsSecret || value.Walk().OfType<PlanValue.ConfigReference>().Any(c => IsSecretConfig(c.Key)):
                return [path];
            case PlanValue.Map m:
                return [.. m.Entries.SelectMany(e => SecretPaths(e.Value, path.Length == 0 ? e.Key : $"{path}.{e.Key}"))];
            case PlanValue.List l:
                return [.. l.Items.SelectMany((item, i) => SecretPaths(item, $"{path}[{i}]"))];
            default:
                return [];
        }
    }

    private bool IsSecretConfig(string key) =>
        plan.Config.Single(c => c.Key == key).Secret || (plan.StackConfig.TryGetValue(key, out var v) && v.Secret);

    private JsonNode? ConfigValue(string key)
    {
        var entry = plan.Config.Single(c => c.Key == key);
        var text = config?.GetValueOrDefault(key) ?? (plan.StackConfig.TryGetValue(key, out var v) ? v.Value : null) ?? entry.Default;
        return entry.Type switch
        {
            "integer" => JsonValue.Create(int.Parse(text!, CultureInfo.InvariantCulture)),
            "boolean" => JsonValue.Create(bool.Parse(text!)),
            "List<String>" => JsonNode.Parse(text!),
            _ => JsonValue.Create(text),
        };
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static JsonNode? Navigate(JsonNode? node, string path)
    {
        foreach (Match segment in PathSegment().Matches(path))
        {
            node = segment.Groups["index"].Success
                ? (node as JsonArray)?[int.Parse(segment.Groups["index"].Value, CultureInfo.InvariantCulture)]
                : (node as JsonObject)?[segment.Groups["key"].Success ? segment.Groups["key"].Value : segment.Groups["name"].Value];
        }

        return node;
    }

    [GeneratedRegex("""(?<name>[^.\[\]]+)|\[(?<index>\d+)\]|\["(?<key>[^"]+)"\]""")]
    private static partial Regex PathSegment();

    /// <summary>A JSON tree of what the SDK and mocks hold (immutable maps and arrays, doubles, strings, booleans).</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        double d => JsonValue.Create(d),
        int i => JsonValue.Create(i),
        IDictionary map => new JsonObject(map.Keys.Cast<string>().Select(k => KeyValuePair.Create(k, ToJson(map[k])))),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>Text for comparing trees: keys sorted, nulls dropped, numbers in one notation.</summary>
    public static string Canonical(JsonNode? node) => Normalize(node)?.ToJsonString() ?? "null";

    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Normalize)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture).Normalize()),
        _ => node.DeepClone(),
    };

}

internal static class DecimalExtensions
{
    public static decimal Normalize(this decimal value) => value / 1.000000000000000000000000000000000m;
}
