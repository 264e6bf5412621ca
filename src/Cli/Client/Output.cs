using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli.Client;

/// <summary>Prints answers as aligned tables (people) or JSON (scripts).</summary>
internal static class Output
{
    // Printed for scripts and people, never embedded in HTML: '+' in a timestamp, '<' or an accented name print as
    // they are, as the service sent them (the default encoder wrote "\u002B00:00").
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task JsonAsync(CliContext context, JsonNode? node) =>
        context.Stdout.WriteLineAsync(node?.ToJsonString(Indented) ?? "null");

    /// <summary>A table: a header row and one row per item, columns padded to their widest cell.</summary>
    public static async Task TableAsync(CliContext context, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = new List<IReadOnlyList<string?>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => (r[i] ?? "-").Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Count; i++)
            {
                var cell = row[i] ?? "-";
                line.Append(i == row.Count - 1 ? cell : cell.PadRight(widths[i] + 2));
            }

            await context.Stdout.WriteLineAsync(line.ToString().TrimEnd());
        }
    }

    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray array => string.Join(",", array.Select(Text)),
        _ => node.ToJsonString(),
    };

    public static string? Money(JsonNode? amount, JsonNode? currency = null) => amount is null
        ? null
        : ((decimal)amount).ToString("N2", CultureInfo.InvariantCulture) + (currency is null ? "" : " " + (string?)currency);

    public static string? Time(JsonNode? node) =>
        node is null ? null : ((DateTimeOffset)node).UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
