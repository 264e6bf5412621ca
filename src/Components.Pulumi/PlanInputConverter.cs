using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Components.Planning;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// Translates plan values into what the Pulumi .NET SDK accepts as resource inputs: plain data stays plain
/// (<see cref="ImmutableArray{T}"/> and <see cref="ImmutableDictionary{TKey, TValue}"/> for structure, as
/// <see cref="DictionaryResourceArgs"/> requires), and anything known only at deployment time becomes an
/// <see cref="Output{T}"/>: references to other resources' outputs, stack config, secrets, interpolations and JSON text.
/// The YAML renderer makes the same translation into <c>${...}</c>, <c>fn::secret</c> and <c>fn::toJSON</c>.
/// </summary>
/// <param name="reference">The output a reference points at (the resource's output, navigated to the path).</param>
/// <param name="config">The value of a stack config entry (secret when the entry is).</param>
internal sealed class PlanInputConverter(
    Func<PlanValue.Reference, Output<object?>> reference,
    Func<string, Output<object?>> config)
{
    /// <summary>A resource's inputs.</summary>
    public ImmutableDictionary<string, object?> Inputs(PlanValue.Map inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Entries.ToImmutableDictionary(e => e.Key, e => Input(e.Value), StringComparer.Ordinal);
    }

    /// <summary>One input value: plain when the plan knows it, an <see cref="Output{T}"/> otherwise.</summary>
    public object? Input(PlanValue value) => value switch
    {
        PlanValue.NullValue => null,
        PlanValue.Text text => text.Value,
        PlanValue.Number number => Number(number.Value),
        PlanValue.Bool flag => flag.Value,
        PlanValue.List list => list.Items.Select(Input).ToImmutableArray(),
        PlanValue.Map map => Inputs(map),
        PlanValue.Reference r => reference(r),
        PlanValue.ConfigReference c => config(c.Key),
        PlanValue.Secret secret => Output.CreateSecret(Resolve(secret.Value)),
        PlanValue.Interpolation interpolation => Text(interpolation),
        PlanValue.Json json => JsonText(json.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown plan value."),
    };

    /// <summary>
    /// The value as one output whose content holds no further outputs: what a secret wraps, and what outputs of
    /// components and stacks carry.
    /// </summary>
    public Output<object?> Resolve(PlanValue value) => value switch
    {
        _ when IsPlain(value) => Output.Create(Input(value)),
        PlanValue.List list => Output.All(list.Items.Select(Resolve)).Apply(items => (object?)items),
        PlanValue.Map map => Output.All(map.Entries.Select(e => Resolve(e.Value))).Apply(values => (object?)map.Entries
            .Select((e, i) => KeyValuePair.Create(e.Key, values[i]))
            .ToImmutableDictionary(StringComparer.Ordinal)),
        PlanValue.Reference r => reference(r),
        PlanValue.ConfigReference c => config(c.Key),
        PlanValue.Secret secret => Output.CreateSecret(Resolve(secret.Value)),
        PlanValue.Interpolation interpolation => Text(interpolation).Apply(text => (object?)text),
        PlanValue.Json json => JsonText(json.Value).Apply(text => (object?)text),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown plan value."),
    };

    /// <summary>Whether the value is plain data, known without deploying anything.</summary>
    public static bool IsPlain(PlanValue value) =>
        value.Walk().All(v => v is PlanValue.NullValue or PlanValue.Text or PlanValue.Number or PlanValue.Bool or PlanValue.List or PlanValue.Map);

    /// <summary>Numbers as the SDK's serializer takes them: <see cref="int"/> when integral, <see cref="double"/> otherwise.</summary>
    public static object Number(decimal value) =>
        decimal.IsInteger(value) && value is >= int.MinValue and <= int.MaxValue ? (int)value : (object)(double)value;

    /// <summary>How a value reads inside an interpolated string.</summary>
    public static string Stringify(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => ToJsonNode(value)?.ToJsonString() ?? "",
    };

    /// <summary>A JSON tree of a value the SDK produced (engine outputs, config); maps are sorted so text is stable.</summary>
    public static JsonNode? ToJsonNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        IDictionary map => new JsonObject(map.Keys.Cast<object>()
            .Select(k => Convert.ToString(k, CultureInfo.InvariantCulture)!)
            .Order(StringComparer.Ordinal)
            .Select(k => KeyValuePair.Create(k, ToJsonNode(map[k])))),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(ToJsonNode)]),
        _ => JsonValue.Create(Stringify(value)),
    };

    private Output<string> Text(PlanValue.Interpolation interpolation) =>
        Output.All(interpolation.Parts.Select(Resolve)).Apply(parts => string.Concat(parts.Select(Stringify)));

    // JSON text keeps the plan's key order: the text is the provider's input, so a reordering would be a diff.
    private Output<string> JsonText(PlanValue value) =>
        JsonTree(value).Apply(node => node?.ToJsonString() ?? "null");

    private Output<JsonNode?> JsonTree(PlanValue value) => value switch
    {
        PlanValue.NullValue => Output.Create((JsonNode?)null),
        PlanValue.Text text => Output.Create<JsonNode?>(JsonValue.Create(text.Value)),
        PlanValue.Number number => Output.Create<JsonNode?>(JsonValue.Create(number.Value)),
        PlanValue.Bool flag => Output.Create<JsonNode?>(JsonValue.Create(flag.Value)),
        PlanValue.List list => Output.All(list.Items.Select(JsonTree))
            .Apply(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())])),
        PlanValue.Map map => Output.All(map.Entries.Select(e => JsonTree(e.Value)))
            .Apply(values => (JsonNode?)new JsonObject(map.Entries.Select((e, i) => KeyValuePair.Create(e.Key, values[i]?.DeepClone())))),
        PlanValue.Secret secret => Output.CreateSecret(JsonTree(secret.Value)),
        PlanValue.Interpolation interpolation => Text(interpolation).Apply(text => (JsonNode?)JsonValue.Create(text)),
        PlanValue.Json json => JsonText(json.Value).Apply(text => (JsonNode?)JsonValue.Create(text)),
        _ => Resolve(value).Apply(ToJsonNode),
    };
}
