using Platform.Components.Planning;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Aws;

/// <summary>
/// The tier's log retention, enforced where the logs are kept: on a target whose cluster ships container logs to
/// CloudWatch (<see cref="Targets.TelemetrySettings.CloudWatchLogGroupPrefix"/>), the environment owns its namespace's
/// log group with the tier's retention. Without it, the agent would auto-create the group and keep logs forever.
/// </summary>
internal static class LogRetention
{
    /// <summary>Logical name of the environment's log group.</summary>
    public const string LogGroup = "environment-log-group";

    /// <summary>The environment output naming its log group.</summary>
    public const string LogGroupOutput = "logGroupName";

    /// <summary>The log group of <paramref name="context"/>'s namespace under <paramref name="prefix"/>.</summary>
    public static string LogGroupName(string prefix, PlanContext context) => $"{prefix}/{context.Namespace}";

    public static void Plan(PlanContext context)
    {
        if (context.Target.Telemetry.CloudWatchLogGroupPrefix is not { } prefix)
        {
            return;
        }

        // The tier's days are all values CloudWatch accepts for retentionInDays (7, 30, 90; TierProfileTests).
        var name = LogGroupName(prefix, context);
        context.Builder.Add(LogGroup, AwsTypes.LogGroup, Map(
            ("name", name),
            ("retentionInDays", context.Profile.LogRetentionDays),
            ("tags", Tags(context))), null, Options);
        context.Builder.AddOutput(LogGroupOutput, PlanValue.Ref(LogGroup, "name"), null);
    }
}
