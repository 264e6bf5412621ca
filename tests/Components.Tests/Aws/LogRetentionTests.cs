using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Kubernetes;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Aws;

/// <summary>The tier's log retention as a CloudWatch log group, on targets whose cluster ships logs there.</summary>
public sealed class LogRetentionTests
{
    // The values CloudWatch Logs accepts for a group's retention (PutRetentionPolicy / the provider's retentionInDays).
    private static readonly int[] CloudWatchRetentionDays =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    // The inputs of aws:cloudwatch/logGroup:LogGroup in the AWS provider 7.48.0 schema.
    private static readonly string[] LogGroupInputs =
        ["deletionProtectionEnabled", "kmsKeyId", "logGroupClass", "name", "namePrefix", "region", "retentionInDays", "skipDestroy", "tags"];

    private static readonly DeploymentTarget CloudWatchTarget = AwsPlans.FullTarget with
    {
        Telemetry = new TelemetrySettings { CloudWatchLogGroupPrefix = "/eks/prod-cluster" },
    };

    [Theory]
    [InlineData(Tier.Dev, 7)]
    [InlineData(Tier.Staging, 30)]
    [InlineData(Tier.Prod, 90)]
    public void A_cloudwatch_target_gives_the_environment_its_log_group_with_the_tiers_retention(Tier tier, int days)
    {
        var spec = WorkloadTests.SpecWith(ServiceType.Web, tier);
        var plan = PlanCompiler.Compile(spec, CloudWatchTarget);

        var group = plan[LogRetention.LogGroup];
        Assert.Equal(AwsTypes.LogGroup, group.Type);
        Assert.Equal($"/eks/prod-cluster/{spec.Name}", group.Inputs.At("name").Text());
        Assert.Equal(days, group.Inputs.At("retentionInDays").Number());
        Assert.Equal(days, TierProfile.For(tier).LogRetentionDays);
        Assert.Equal("retail", group.Inputs.At("tags").Key("team").Text());
        Assert.Equal(LogicalNames.AwsProvider, group.Options.Provider);
        Assert.All(group.Inputs.Entries.Select(e => e.Key), key => Assert.Contains(key, LogGroupInputs));
        Assert.Equal(PlanValue.Ref(LogRetention.LogGroup, "name"), plan.Outputs.Single(o => o.Name == LogRetention.LogGroupOutput).Value);

        // A workload-only environment now needs the AWS provider, and the program renders.
        Assert.Contains(plan.Resources, r => r.Name == LogicalNames.AwsProvider);
        Assert.Contains("aws:cloudwatch/logGroup:LogGroup", PulumiYamlRenderer.Render(plan).Program, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_tiers_retention_is_a_value_cloudwatch_accepts()
    {
        Assert.All(Enum.GetValues<Tier>(), tier => Assert.Contains(TierProfile.For(tier).LogRetentionDays, CloudWatchRetentionDays));
    }

    [Fact]
    public void Without_a_prefix_there_is_no_log_group_and_no_aws_provider_for_workloads_alone()
    {
        var plan = PlanCompiler.Compile(WorkloadTests.SpecWith(ServiceType.Worker, Tier.Prod), AwsPlans.FullTarget);

        Assert.DoesNotContain(plan.Resources, r => r.Type == AwsTypes.LogGroup || r.Name == LogicalNames.AwsProvider);
    }

    [Fact]
    public void The_targets_file_sets_the_prefix_and_rejects_a_malformed_one_naming_the_field()
    {
        var settings = TargetSettings.Parse("""
            targets:
              eu:
                awsRegion: eu-west-1
                telemetry:
                  cloudWatchLogGroupPrefix: /eks/eu/
            """);
        Assert.True(settings.TryGet("eu", out var eu));
        Assert.Equal("/eks/eu", eu.Telemetry.CloudWatchLogGroupPrefix);

        var ex = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() => TargetSettings.Parse("""
            targets:
              eu:
                telemetry:
                  cloudWatchLogGroupPrefix: eks logs
            """));
        Assert.Contains("targets.eu.telemetry.cloudWatchLogGroupPrefix", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Start it with /", ex.Message, StringComparison.Ordinal);
    }
}
