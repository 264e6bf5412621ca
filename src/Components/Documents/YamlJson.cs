using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Documents;

/// <summary>
/// Reads YAML or JSON text into one JSON tree, so specs and settings have one schema whichever syntax users write.
/// YAML plain scalars keep YAML 1.2 core-schema meaning (numbers, booleans, null); quoted scalars stay strings.
/// </summary>
internal static class YamlJson
{
    /// <summary>Parses <paramref name="text"/> (JSON when it starts with '{', YAML otherwise).</summary>
    /// <exception cref="FormatException">The text is not well-formed; the message names the line and column.</exception>
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw new FormatException($"Invalid JSON at line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}: {FirstSentence(ex.Message)}", ex);
            }
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0)
            {
                return null;
            }

            if (stream.Documents.Count > 1)
            {
                throw new FormatException("The text holds several YAML documents; write one environment per file.");
            }

            return Convert(stream.Documents[0].RootNode);
        }
        catch (YamlException ex)
        {
            throw new FormatException($"Invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {FirstSentence(ex.InnerException?.Message ?? ex.Message)}", ex);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Deepest nesting a document may have: specs need a handful of levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a document may expand to, so aliases cannot multiply a small text into a huge tree.</summary>
    public const int MaxNodes = 100_000;

    private static JsonNode? Convert(YamlNode root)
    {
        var nodes = 0;

        JsonNode? Node(YamlNode node, int depth)
        {
            // Aliases resolve to shared (even self-referencing) nodes: bound depth and total size, never recurse freely.
            if (depth > MaxDepth)
            {
                throw new FormatException($"The document nests deeper than {MaxDepth} levels (line {node.Start.Line}).");
            }

            if (++nodes > MaxNodes)
            {
                throw new FormatException($"The document expands to more than {MaxNodes} values; remove repeated aliases.");
            }

            return node switch
            {
                YamlMappingNode map => Map(map, depth),
                YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(c => Node(c, depth + 1))]),
                YamlScalarNode scalar => ConvertScalar(scalar),
                _ => throw new FormatException($"Unsupported YAML node at line {node.Start.Line}."),
            };
        }

        JsonObject Map(YamlMappingNode map, int depth)
        {
            var result = new JsonObject();
            foreach (var (key, value) in map.Children)
            {
                var name = key is YamlScalarNode s ? s.Value ?? "" : throw new FormatException($"Mapping keys must be plain strings (line {key.Start.Line}).");
                if (result.ContainsKey(name))
                {
                    throw new FormatException($"Duplicate key '{name}' at line {key.Start.Line}, column {key.Start.Column}.");
                }

                result[name] = Node(value, depth + 1);
            }

            return result;
        }

        return Node(root, 0);
    }

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when IsDecimal(value) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }

    private static bool IsDecimal(string value) =>
        value.Length > 0 && (char.IsDigit(value[0]) || value[0] is '-' or '+' or '.') &&
        value.All(c => char.IsDigit(c) || c is '.' or 'e' or 'E' or '-' or '+');
}
