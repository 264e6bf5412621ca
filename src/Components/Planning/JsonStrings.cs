using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Platform.Components.Planning;

/// <summary>
/// JSON text of strings and string arrays, written and read without <see cref="JsonSerializer"/>: the serializer's
/// first use builds its reflection-based contracts and converters, about 200 methods compiled at start-up by every
/// <c>platform</c> command that plans (measured 2026-12-02), for values that are only ever strings. The output is the
/// serializer's, byte for byte (the same escaping, through <see cref="JsonEncodedText"/>).
/// </summary>
internal static class JsonStrings
{
    /// <summary><paramref name="text"/> as a JSON string literal, escaped by <paramref name="encoder"/> (the serializer's default when null).</summary>
    public static string Quote(string text, JavaScriptEncoder? encoder = null) =>
        string.Concat("\"", JsonEncodedText.Encode(text, encoder).Value, "\"");

    /// <summary>The JSON array of <paramref name="items"/>, e.g. <c>["a","b"]</c>.</summary>
    public static string List(IEnumerable<string> items) => string.Concat("[", string.Join(',', items.Select(i => Quote(i))), "]");

    /// <summary>The strings of a JSON array of strings.</summary>
    /// <exception cref="JsonException">The text is not JSON, not an array, or holds something other than strings.</exception>
    public static ImmutableArray<string> ReadList(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind is JsonValueKind.Null)
        {
            return [];
        }

        if (document.RootElement.ValueKind is not JsonValueKind.Array)
        {
            throw new JsonException($"Expected a JSON array, not {document.RootElement.ValueKind}.");
        }

        var items = ImmutableArray.CreateBuilder<string>(document.RootElement.GetArrayLength());
        foreach (var item in document.RootElement.EnumerateArray())
        {
            items.Add(item.ValueKind is JsonValueKind.String ? item.GetString()! : throw new JsonException($"Expected a string, not {item.ValueKind}."));
        }

        return items.MoveToImmutable();
    }
}
