using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Resources.Queue;

/// <summary>
/// The <c>queue</c> golden path: an encrypted SQS queue whose visibility timeout and retention come from the tier,
/// with a dead-letter queue (same kind, FIFO or standard) that receives messages after repeated failed receives.
/// </summary>
internal static class QueueResources
{
    /// <summary>Receives before a message moves to the dead-letter queue.</summary>
    public const int MaxReceiveCount = 5;

    /// <summary>
    /// Dead letters are kept for SQS's maximum, 14 days, so someone can inspect and redrive them. A standard queue's
    /// dead letter counts them from when it was first sent, so the tier's retention of standard queues
    /// (<see cref="QueueTiers"/>, at most 7 days) leaves every dead letter at least 7 days here; a FIFO queue's starts
    /// counting again.
    /// </summary>
    public const int DeadLetterRetentionSeconds = 1_209_600;

    /// <summary>Long polling: receives wait up to 20 seconds for a message, cutting empty (billed) receives.</summary>
    public const int ReceiveWaitTimeSeconds = 20;

    public static void Plan(PlanContext context, ResourceSpec queue)
    {
        var builder = context.Builder;
        var profile = QueueTiers.For(context.Spec.Tier);
        var fifo = QueueKind.IsFifo(queue);
        var name = queue.Name;
        var environment = context.Spec.Name;
        builder.AddComponent(name, QueueKind.ComponentToken);

        builder.Add(QueueNames.DeadLetterQueue(name), AwsTypes.Queue, Fifo(fifo, Map(
            ("name", QueueNames.QueueName(environment, name, fifo, "dlq")))).With("messageRetentionSeconds", DeadLetterRetentionSeconds)
            .With("sqsManagedSseEnabled", true)
            .With("tags", Tags(context)), name, Options);

        var redrive = PlanValue.ToJson(Map(
            ("deadLetterTargetArn", PlanValue.Ref(QueueNames.DeadLetterQueue(name), "arn")),
            ("maxReceiveCount", MaxReceiveCount)));
        builder.Add(QueueNames.Queue(name), AwsTypes.Queue, Fifo(fifo, Map(
            ("name", QueueNames.QueueName(environment, name, fifo)))).With("visibilityTimeoutSeconds", profile.VisibilityTimeoutSeconds)
            .With("messageRetentionSeconds", fifo ? profile.FifoRetentionSeconds : profile.RetentionSeconds)
            .With("receiveWaitTimeSeconds", ReceiveWaitTimeSeconds)
            .With("sqsManagedSseEnabled", true)
            .With("redrivePolicy", redrive)
            .With("tags", Tags(context)), name, Options);

        ConnectionConfig.Plan(context, name,
            ("QUEUE_URL", PlanValue.Ref(QueueNames.Queue(name), "url")),
            ("QUEUE_ARN", PlanValue.Ref(QueueNames.Queue(name), "arn")),
            ("DEAD_LETTER_QUEUE_URL", PlanValue.Ref(QueueNames.DeadLetterQueue(name), "url")));
        var output = Casing.Camel(name);
        builder.AddOutput(output + "QueueUrl", PlanValue.Ref(QueueNames.Queue(name), "url"), name);
        builder.AddOutput(output + "DeadLetterQueueUrl", PlanValue.Ref(QueueNames.DeadLetterQueue(name), "url"), name);
    }

    // FIFO queues deduplicate by content, so producers need not send deduplication ids.
    private static PlanValue.Map Fifo(bool fifo, PlanValue.Map inputs) =>
        fifo ? inputs.With("fifoQueue", true).With("contentBasedDeduplication", true) : inputs;
}
