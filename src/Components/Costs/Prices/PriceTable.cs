using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Platform.Components.Costs.Prices;

/// <summary>
/// Unit prices for cost estimates, read from the data file <c>src/Components/Costs/prices.json</c> (embedded in the
/// assembly). The file names its region, currency, sources and retrieval date; figures it could not confirm are
/// marked approximate.
/// </summary>
internal sealed record PriceTable
{
    private const string ResourceName = "Platform.Components.Costs.prices.json";

    /// <summary>What the table is and what it leaves out.</summary>
    public required string Description { get; init; }

    /// <summary>The AWS region the prices are for, e.g. <c>us-east-1</c>.</summary>
    public required string Region { get; init; }

    /// <summary>ISO currency code, e.g. <c>USD</c>.</summary>
    public required string Currency { get; init; }

    /// <summary>Hours in a billing month (AWS uses 730).</summary>
    public required decimal HoursPerMonth { get; init; }

    /// <summary>When the prices were collected (ISO date).</summary>
    public required string RetrievedOn { get; init; }

    /// <summary>Kubernetes compute requests.</summary>
    public required ComputePrices Compute { get; init; }

    /// <summary>
    /// The resource kinds' price sections (<c>rds</c>, <c>s3</c>, <c>sqs</c>, <c>elasticache</c>, …), by section name;
    /// each kind reads its own section with its own record type (in its folder), so a new kind adds a section to
    /// <c>prices.json</c> and nothing here.
    /// </summary>
    /// <remarks>A setter, not <c>init</c>: the source-generated reader passes init-only members like constructor
    /// arguments, which extension data cannot be.</remarks>
    [JsonExtensionData]
    [JsonInclude]
    public JsonObject? KindSections { get; internal set; }

    // Each section is read once per table: the estimator prices every resource of a plan.
    private readonly ConcurrentDictionary<(string Name, Type Type), object?> _sections = new();

    /// <summary>A kind's price section, or <see langword="null"/> when the table has none.</summary>
    /// <param name="name">The section's name in <c>prices.json</c>.</param>
    /// <param name="type">How to read it: the kind's own source-generated contract (<see cref="PriceTableJson"/>), so no
    /// serializer metadata is built by reflection when a short-lived command prices one plan.</param>
    /// <exception cref="FormatException">The section is malformed.</exception>
    internal T? Section<T>(string name, JsonTypeInfo<T> type)
        where T : class =>
        (T?)_sections.GetOrAdd((name, typeof(T)), static (key, arg) => arg.Table.ReadSection(key.Name, arg.Type), (Table: this, Type: type));

    private T? ReadSection<T>(string name, JsonTypeInfo<T> type)
        where T : class
    {
        if (KindSections?[name] is not { } node)
        {
            return null;
        }

        try
        {
            return node.Deserialize(type) ?? throw new FormatException($"The price table's '{name}' section is empty.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The price table's '{name}' section is malformed: {ex.Message}", ex);
        }
    }

    /// <summary>The price table shipped with Platform.</summary>
    public static PriceTable Load()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded price table '{ResourceName}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Parses a price table in the <c>prices.json</c> format.</summary>
    /// <exception cref="FormatException">The text is not a complete price table.</exception>
    public static PriceTable Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, PriceTableJson.Default.PriceTable) ?? throw new FormatException("The price table is empty.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The price table is malformed: {ex.Message}", ex);
        }
    }
}

/// <summary>Prices of Kubernetes resource requests.</summary>
/// <param name="VcpuHour">Price of one requested vCPU for an hour.</param>
/// <param name="GibHour">Price of one requested GiB of memory for an hour.</param>
/// <param name="CronJobRunHoursPerMonth">Hours a month a CronJob is assumed to run one pod.</param>
/// <param name="Approximate">Whether the figures are derived rather than list prices.</param>
/// <param name="Derivation">How the figures were derived.</param>
/// <param name="Sources">Where the underlying figures come from.</param>
internal sealed record ComputePrices(
    decimal VcpuHour,
    decimal GibHour,
    decimal CronJobRunHoursPerMonth,
    bool Approximate,
    string Derivation,
    ImmutableArray<PriceSource> Sources);

/// <summary>An instance class's hourly price.</summary>
/// <param name="Hourly">Single-AZ on-demand price per hour.</param>
/// <param name="Approximate">Whether the figure could not be confirmed in a public source.</param>
internal sealed record InstancePrice(decimal Hourly, bool Approximate);

/// <summary>Where a price comes from.</summary>
/// <param name="Url">The page.</param>
/// <param name="Published">When the page was published, as far as it says.</param>
/// <param name="Covers">Which figures it supports.</param>
internal sealed record PriceSource(string Url, string Published, string Covers);

/// <summary>
/// How <c>prices.json</c> is read: camelCase names, and a null where the record does not allow one is an error. Each
/// kind's section type has a context of its own in its folder (<see cref="PriceTable.Section{T}"/>), with these same
/// options written out (attribute arguments are constants).
/// </summary>
/// <remarks>
/// Source-generated, not reflection: building the serializer's metadata by reflection (and emitting its accessors) was
/// about a tenth of a 12-service <c>platform render</c>'s CPU (perf, 2026-12-02), paid by every command that prices a plan.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PriceTable))]
internal sealed partial class PriceTableJson : JsonSerializerContext;
