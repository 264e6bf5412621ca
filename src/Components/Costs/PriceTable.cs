using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Platform.Components.Costs;

/// <summary>
/// Unit prices for cost estimates, read from the data file <c>src/Components/Costs/prices.json</c> (embedded in the
/// assembly). The file names its region, currency, sources and retrieval date; figures it could not confirm are
/// marked approximate.
/// </summary>
internal sealed record PriceTable
{
    private const string ResourceName = "Platform.Components.Costs.prices.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
    };

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

    /// <summary>RDS instances and storage.</summary>
    public required DatabasePrices Rds { get; init; }

    /// <summary>S3 buckets.</summary>
    public required BucketPrices S3 { get; init; }

    /// <summary>SQS queues.</summary>
    public required QueuePrices Sqs { get; init; }

    /// <summary>
    /// Price sections of resource kinds that bring their own (e.g. <c>elasticache</c>), by section name; each kind reads
    /// its section with its own record type, so a new kind adds a section to <c>prices.json</c> and nothing here.
    /// </summary>
    [JsonExtensionData]
    public JsonObject? KindSections { get; init; }

    /// <summary>A kind's price section, or <see langword="null"/> when the table has none.</summary>
    /// <exception cref="FormatException">The section is malformed.</exception>
    internal T? Section<T>(string name)
        where T : class
    {
        if (KindSections?[name] is not { } node)
        {
            return null;
        }

        try
        {
            return node.Deserialize<T>(Options) ?? throw new FormatException($"The price table's '{name}' section is empty.");
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
            return JsonSerializer.Deserialize<PriceTable>(json, Options) ?? throw new FormatException("The price table is empty.");
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

/// <summary>Prices of RDS PostgreSQL.</summary>
/// <param name="Engine">The database engine the prices are for.</param>
/// <param name="InstanceClasses">Single-AZ hourly price per instance class.</param>
/// <param name="MultiAzMultiplier">Factor for a Multi-AZ instance's compute and storage.</param>
/// <param name="Gp3GbMonth">gp3 storage per GB-month (single-AZ).</param>
/// <param name="Notes">What the prices include.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record DatabasePrices(
    string Engine,
    ImmutableSortedDictionary<string, InstancePrice> InstanceClasses,
    decimal MultiAzMultiplier,
    decimal Gp3GbMonth,
    string Notes,
    ImmutableArray<PriceSource> Sources);

/// <summary>An instance class's hourly price.</summary>
/// <param name="Hourly">Single-AZ on-demand price per hour.</param>
/// <param name="Approximate">Whether the figure could not be confirmed in a public source.</param>
internal sealed record InstancePrice(decimal Hourly, bool Approximate);

/// <summary>Prices of S3 and the usage a bucket is assumed to have.</summary>
/// <param name="StandardGbMonth">S3 Standard storage per GB-month.</param>
/// <param name="PutPer1000">PUT/COPY/POST/LIST requests per 1,000.</param>
/// <param name="GetPer1000">GET requests per 1,000.</param>
/// <param name="AssumedGbStored">GB a bucket is assumed to hold.</param>
/// <param name="AssumedPutRequests">PUT requests a bucket is assumed to get a month.</param>
/// <param name="AssumedGetRequests">GET requests a bucket is assumed to get a month.</param>
/// <param name="Notes">What the assumptions are.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record BucketPrices(
    decimal StandardGbMonth,
    decimal PutPer1000,
    decimal GetPer1000,
    decimal AssumedGbStored,
    decimal AssumedPutRequests,
    decimal AssumedGetRequests,
    string Notes,
    ImmutableArray<PriceSource> Sources)
{
    /// <summary>The assumed monthly cost of one bucket.</summary>
    public decimal MonthlyPerBucket =>
        (AssumedGbStored * StandardGbMonth) + (AssumedPutRequests / 1000m * PutPer1000) + (AssumedGetRequests / 1000m * GetPer1000);
}

/// <summary>Prices of SQS and the usage a queue is assumed to have.</summary>
/// <param name="StandardPerMillion">Standard queue requests per million.</param>
/// <param name="FifoPerMillion">FIFO queue requests per million.</param>
/// <param name="AssumedMillionRequests">Million requests a queue is assumed to take a month.</param>
/// <param name="Notes">What the assumptions are.</param>
/// <param name="Sources">Where the figures come from.</param>
internal sealed record QueuePrices(
    decimal StandardPerMillion,
    decimal FifoPerMillion,
    decimal AssumedMillionRequests,
    string Notes,
    ImmutableArray<PriceSource> Sources);

/// <summary>Where a price comes from.</summary>
/// <param name="Url">The page.</param>
/// <param name="Published">When the page was published, as far as it says.</param>
/// <param name="Covers">Which figures it supports.</param>
internal sealed record PriceSource(string Url, string Published, string Covers);
