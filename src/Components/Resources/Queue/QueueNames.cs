using Platform.Components.Planning;

namespace Platform.Components.Resources.Queue;

/// <summary>
/// Logical and physical names of a <c>queue</c>'s resources. Physical names start with the environment's name, so two
/// environments in one account never collide, and fit SQS's naming rules.
/// </summary>
internal static class QueueNames
{
    // Logical names (the contract other golden paths and tests rely on).
    public static string Queue(string queue) => $"{queue}-queue";

    public static string DeadLetterQueue(string queue) => $"{queue}-dlq";

    /// <summary>A queue name (FIFO queues end with <c>.fifo</c>), at most 80 characters.</summary>
    public static string QueueName(string environment, string queue, bool fifo, string suffix = "")
    {
        const string FifoSuffix = ".fifo";
        var limit = PhysicalName.SqsQueue - (fifo ? FifoSuffix.Length : 0);
        return PhysicalName.Create(limit, environment, queue, suffix) + (fifo ? FifoSuffix : "");
    }
}
