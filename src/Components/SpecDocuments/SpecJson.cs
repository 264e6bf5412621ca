using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// The JSON conventions of everything Platform shows (API responses, stored summaries): camelCase names, enums as
/// their camelCase names (<c>"tier": "staging"</c>, never a number) and durations in the spec's own form
/// (<c>"14d"</c>, never <c>"14.00:00:00"</c>).
/// </summary>
public static class SpecJson
{
    /// <summary>Read-only options with these conventions (web defaults otherwise).</summary>
    public static JsonSerializerOptions Options { get; } = ReadOnly(CreateOptions());

    /// <summary>New options with these conventions, for a caller to extend.</summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    /// <summary>Adds the conventions to <paramref name="options"/> (e.g. ASP.NET Core's HTTP JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new DurationConverter());
    }

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Durations as specs write them (<see cref="SpecParser.FormatDuration"/>), read back the same way.</summary>
    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } text && SpecParser.TryParseDuration(text, out var duration)
                ? duration
                : throw new JsonException("Expected a duration such as 72h, 7d or 1d12h.");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(SpecParser.FormatDuration(value));
    }
}
