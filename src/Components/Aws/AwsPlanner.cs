using Platform.Components.Planning;

namespace Platform.Components.Aws;

/// <summary>Adds the environment's AWS resources (databases, buckets, queues, workload identity) to a plan.</summary>
internal static class AwsPlanner
{
    public static void Plan(PlanContext context)
    {
        _ = context;
    }
}
