using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using Platform.Components.Aws;
using Platform.Components.Costs.Prices;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using static Platform.Components.Policies.PlanReading;

namespace Platform.Components.Resources.Queue;

/// <summary>
/// <c>queue</c>: an encrypted SQS queue with a dead-letter queue (<see cref="QueueResources"/>), FIFO on request,
/// retention by tier (<see cref="QueueTiers"/>). Services that use it may send, receive and delete messages over
/// HTTPS and learn its URL from its connection ConfigMap.
/// </summary>
internal sealed class QueueKind : ResourceKind
{
    /// <summary>The component type of a <c>queue</c> resource.</summary>
    public const string ComponentToken = "platform:aws:Queue";

    /// <summary>The <c>fifo</c> field.</summary>
    public const string FifoField = "fifo";

    /// <summary>Send, receive and delete messages (and what consumers need alongside).</summary>
    public static readonly ImmutableArray<string> MessageActions =
        ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"];

    /// <inheritdoc />
    public override string Name => "queue";

    /// <inheritdoc />
    public override string Description => "Message queue with a dead-letter queue (AWS SQS).";

    /// <inheritdoc />
    public override string ComponentType => ComponentToken;

    internal override int Order => 30;

    /// <inheritdoc />
    public override ImmutableArray<ResourceField> Fields { get; } = [ResourceField.Flag(FifoField, "FIFO queue")];

    /// <inheritdoc />
    public override ImmutableArray<TierSetting> TierSettings { get; } =
    [
        TierSetting.From("queue retention standard / FIFO (seconds)", QueueTiers.For, t => $"{Num(t.RetentionSeconds)} / {Num(t.FifoRetentionSeconds)}"),
        TierSetting.From("queue visibility timeout (seconds)", QueueTiers.For, t => Num(t.VisibilityTimeoutSeconds)),
    ];

    internal override ImmutableArray<string> TaggableTypes => [AwsTypes.Queue];

    /// <summary>Whether the spec asks for a FIFO queue.</summary>
    public static bool IsFifo(ResourceSpec queue) => queue.Field(FifoField) == "true";

    internal override void Plan(PlanContext context, ResourceSpec resource) => QueueResources.Plan(context, resource);

    internal override ResourceGrant Grant(PlanContext context, ResourceSpec resource)
    {
        var sid = Casing.Camel("x", resource.Name)[1..];
        return new ResourceGrant(resource.Name, [], UsesAwsApis: true,
            [new IamStatement(sid + "Messages", MessageActions, PlanValue.Ref(QueueNames.Queue(resource.Name), "arn"))],
            new ConnectionSource(ConnectionConfig.LogicalName(resource.Name), IsSecret: false, PrefixWhenSeveral: null));
    }

    /// <summary>The price table's section for this kind (<see cref="QueuePrices"/>).</summary>
    internal const string PriceSection = "sqs";

    /// <inheritdoc/>
    internal override ImmutableArray<string> PricedTypes => [AwsTypes.Queue];

    // Dead-letter queues (those another queue's redrive policy points at) are assumed idle.
    internal override (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced)
    {
        if (resource.Type != AwsTypes.Queue ||
            Attached(plan, AwsTypes.Queue, resource, "redrivePolicy").Any())
        {
            return null;
        }

        if (prices.Section(PriceSection, QueuePricesJson.Default.QueuePrices) is not { } sqs)
        {
            unpriced.Add($"{resource.Name} (SQS)");
            return (0m, "no price for SQS");
        }

        var fifo = Bool(resource.Inputs, "fifoQueue") == true;
        var perMillion = fifo ? sqs.FifoPerMillion : sqs.StandardPerMillion;
        return (sqs.AssumedMillionRequests * perMillion,
            $"assumed {Num(sqs.AssumedMillionRequests)} million {(fifo ? "FIFO" : "standard")} requests");
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    internal override IEnumerable<(string RuleId, string Requires)> Guardrails =>
        [(GuardrailIds.EncryptionAtRest, "Every queue has SSE-SQS or a KMS key.")];

    // The queue's share of the shared guardrails: encryption at rest (PLT002).
    internal override IEnumerable<(string Resource, string Message)> Violations(string ruleId, ResourcePlan plan) =>
        ruleId != GuardrailRules.EncryptionAtRest.Id
            ? []
            : plan.OfType(AwsTypes.Queue)
                .Where(q => Bool(q.Inputs, "sqsManagedSseEnabled") != true && Get(q.Inputs, "kmsMasterKeyId") is null or PlanValue.NullValue)
                .Select(q => (q.Name, $"Queue '{q.Name}' is not encrypted at rest. Set sqsManagedSseEnabled: true or a kmsMasterKeyId."));
}

/// <summary>What the tier decides for a <c>queue</c> resource.</summary>
/// <param name="RetentionSeconds">
/// Seconds a standard queue keeps a message: at most 7 days, half the dead-letter queue's 14, because a standard
/// queue's message keeps its first enqueue time when it moves to the dead-letter queue (Amazon SQS Developer Guide,
/// dead-letter queue retention): with 14 days here, a message that failed on day 13 would be deleted a day later.
/// </param>
/// <param name="FifoRetentionSeconds">
/// Seconds a FIFO queue keeps a message: its message's enqueue time restarts in the dead-letter queue, so it may keep
/// messages as long as SQS allows.
/// </param>
/// <param name="VisibilityTimeoutSeconds">Seconds a received message stays invisible to other consumers.</param>
internal sealed record QueueTiers(int RetentionSeconds, int FifoRetentionSeconds, int VisibilityTimeoutSeconds)
{
    public static QueueTiers For(Tier tier) => tier switch
    {
        Tier.Dev => new(86_400, 86_400, 30),
        Tier.Staging => new(345_600, 345_600, 30),
        _ => new(604_800, 1_209_600, 30),
    };
}

/// <summary>The <c>sqs</c> section of the price table: SQS and the usage a queue is assumed to have.</summary>
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

/// <summary>Reads <see cref="QueuePrices"/> with the price table's options (<see cref="PriceTableJson"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(QueuePrices))]
internal sealed partial class QueuePricesJson : JsonSerializerContext;
