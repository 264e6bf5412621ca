using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.Specs;

namespace Platform.Components.Settings;

/// <summary>
/// Reads a settings file's JSON tree field by field, collecting every problem (unknown fields with a "did you mean",
/// wrong shapes, missing values) instead of stopping at the first, so a platform engineer fixes a file in one pass.
/// </summary>
internal sealed class SettingsReader
{
    private readonly List<SpecError> _errors = [];

    /// <summary>Problems found so far.</summary>
    public IReadOnlyList<SpecError> Errors => _errors;

    /// <summary>Reads <paramref name="text"/> (YAML or JSON); a syntax error is the one problem reported.</summary>
    /// <exception cref="SettingsFormatException">The text is not a well-formed document.</exception>
    public static JsonNode? ReadDocument(string text, string what)
    {
        try
        {
            return YamlJson.Parse(text);
        }
        catch (DocumentFormatException ex)
        {
            var error = SpecError.Syntax(ex);
            throw new SettingsFormatException([error with { Fix = $"Fix the syntax; {what} may be YAML or JSON." }]);
        }
    }

    private static string Join(string path, string field) => path is "" or "(document)" ? field : $"{path}.{field}";

    /// <summary>Reports a problem.</summary>
    public void Error(string path, string message, string fix) => _errors.Add(new SpecError(path, message, fix));

    /// <summary>Throws every problem found, if any.</summary>
    /// <exception cref="SettingsFormatException">There were problems.</exception>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new SettingsFormatException([.. _errors]);
        }
    }

    /// <summary>Reports every field of <paramref name="node"/> not in <paramref name="known"/>, with the closest known one.</summary>
    public void CheckFields(JsonObject node, string path, IReadOnlyCollection<string> known)
    {
        foreach (var (key, _) in node)
        {
            if (!known.Contains(key))
            {
                var suggestion = Spelling.Suggest(key, known);
                Error(Join(path, key), $"Unknown field '{key}'.",
                    (suggestion is null ? "Remove it." : $"Did you mean '{suggestion}'?") + $" Known fields here are: {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>A text field, or <see langword="null"/> when absent or not text (reported).</summary>
    public string? String(JsonObject node, string path, string field)
    {
        switch (node[field])
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                // YAML reads 123456789012 as a number: what was meant is clear, but quoting keeps leading zeros.
                Error(Join(path, field), $"Expected text, got the {(v.GetValueKind() == JsonValueKind.Number ? "number" : "boolean")} {v.ToJsonString()}.",
                    $"Quote it: {field}: \"{v.ToJsonString()}\".");
                return null;
            default:
                Error(Join(path, field), "Expected text, got a " + (node[field] is JsonArray ? "list." : "mapping."), $"Write '{field}' as a single value.");
                return null;
        }
    }

    /// <summary>A list of text, or <see langword="null"/> when absent; entries that are not text are reported.</summary>
    public ImmutableArray<string>? Strings(JsonObject node, string path, string field)
    {
        switch (node[field])
        {
            case null:
                return null;
            case JsonArray array:
                var items = ImmutableArray.CreateBuilder<string>();
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        items.Add(v.GetValue<string>());
                    }
                    else
                    {
                        Error($"{path}.{field}[{i}]", "Expected text.", $"Write each entry of '{field}' as text (quote it if needed).");
                    }
                }

                return items.ToImmutable();
            default:
                Error(Join(path, field), "Expected a list.", $"Write '{field}' as a list, e.g. [a, b].");
                return null;
        }
    }

    /// <summary>A mapping, or <see langword="null"/> when absent or not a mapping (reported).</summary>
    public JsonObject? Object(JsonObject node, string path, string field)
    {
        switch (node[field])
        {
            case null:
                return null;
            case JsonObject o:
                return o;
            default:
                Error(Join(path, field), "Expected a mapping.", $"Write '{field}' as a mapping of keys to values.");
                return null;
        }
    }
}
