using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using Platform.Components.Planning;

namespace Platform.Components.Rendering;

/// <summary>
/// How config reaches a Pulumi YAML program unchanged. Two rules of the real engine shape it:
/// <list type="bullet">
/// <item>Only <c>string</c>, <c>integer</c>, <c>boolean</c> and <c>object</c> are config types that both Pulumi YAML's
/// type parser and the CLI's project schema accept; no list type is. So a list is declared <c>string</c>, carried as
/// its items joined by <see cref="ListDelimiter"/> and read back with <c>fn::split</c>.</item>
/// <item>Pulumi YAML re-types every config value it receives: text that reads as an integer, bool, float or JSON
/// becomes that (a 12-digit account ID becomes a float, <c>"true"</c> a bool, <c>[1]</c> a list), whatever the
/// declared type. So a value that would be re-typed is stored as a JSON string (<c>"123456789012"</c> in double
/// quotes), which Pulumi YAML decodes to exactly the text it holds. See <see cref="StackValue"/>.</item>
/// </list>
/// </summary>
public static class PulumiYamlConfig
{
    /// <summary>The delimiter between the items of a list config value: <c>,</c>, which no AWS ID contains.</summary>
    public const string ListDelimiter = ",";

    // Words Go's strconv.ParseBool or ParseFloat (case-insensitively, for inf/infinity/nan) or JSON read as non-text.
    private static readonly FrozenSet<string> Retyped =
        new[] { "t", "f", "true", "false", "inf", "infinity", "nan", "null" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The text to store as a config value so the program reads exactly <paramref name="value"/> as a string.
    /// A value Pulumi YAML keeps as text (it starts with an ASCII letter and is no bool, float or JSON word, e.g.
    /// <c>vpc-0abc</c>, <c>eu-west-1</c>, <c>arn:aws:…</c>) is stored as it is; any other (<c>0042</c>, <c>1e3</c>,
    /// <c>true</c>, <c>123456789012</c>, <c>{"a":1}</c>, text with leading blanks, …) as a JSON string.
    /// </summary>
    /// <remarks>
    /// Pulumi YAML's rule (<c>pulumi/pulumi-yaml</c> <c>pkg/server/server.go</c>, the loop building <c>confPropMap</c>):
    /// text of more than one character starting with <c>0</c> (not <c>0.</c>) stays text; otherwise an integer,
    /// then a bool, then a float becomes a number or bool; then valid JSON becomes that JSON value; the rest stays
    /// text. A JSON string literal passes the first four tests untouched and decodes to its content.
    /// </remarks>
    public static string StackValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return KeptAsText(value) ? value : JsonStrings.Quote(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    /// <summary>Whether Pulumi YAML keeps <paramref name="value"/> as this very text (a conservative test).</summary>
    public static bool KeptAsText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // JSON, numbers, inf/nan and bools never start with an ASCII letter, except the words listed.
        return value.Length > 0 && char.IsAsciiLetter(value[0]) && !Retyped.Contains(value);
    }

    /// <summary>A list value as it is stored: its items joined by <see cref="ListDelimiter"/>, then <see cref="StackValue"/>.</summary>
    /// <exception cref="ArgumentException">An item is empty or contains the delimiter, so the list would not split back.</exception>
    public static string ListStackValue(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToImmutableArray();
        if (list.Any(i => i.Length == 0 || i.Contains(ListDelimiter, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A list config item must be non-empty and must not contain '{ListDelimiter}': {string.Join(" | ", list)}.", nameof(items));
        }

        return StackValue(string.Join(ListDelimiter, list));
    }

    /// <summary>
    /// Parses the JSON array text a plan holds for a list entry (<see cref="Planning.StackConfigValue"/>) into its items.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a JSON array of strings.</exception>
    public static ImmutableArray<string> ListItems(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonStrings.ReadList(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"A list config value must be a JSON array of strings, not '{json}'.", nameof(json), ex);
        }
    }

    /// <summary>
    /// The config type a program declares for a plan entry's type, and whether the entry is a list carried as joined
    /// text. Plan entries use <c>string</c>, <c>integer</c>, <c>boolean</c> or <c>List&lt;String&gt;</c> (older
    /// spellings such as <c>String</c>, <c>int</c>, <c>bool</c>, <c>array</c> are read too).
    /// </summary>
    /// <exception cref="ArgumentException">The type has no declaration both Pulumi YAML and the CLI accept.</exception>
    public static (string Declared, bool IsList) Declaration(string planType)
    {
        ArgumentNullException.ThrowIfNull(planType);
        return planType.Trim().ToLowerInvariant() switch
        {
            "string" => ("string", false),
            "integer" or "int" or "number" => ("integer", false),
            "boolean" or "bool" => ("boolean", false),
            "array" or "list<string>" => ("string", true),
            _ => throw new ArgumentException($"Config type '{planType}' has no type that both Pulumi YAML and the Pulumi CLI accept; use string, integer, boolean or List<String>.", nameof(planType)),
        };
    }
}
