using Platform.Components.Settings;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.SpecDocuments;

/// <summary>Issue 13: validation reports every problem of a spec in one pass, each with the fix that applies.</summary>
public sealed class AllAtOnceTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "specs", name));

    [Fact]
    public void A_spec_with_thirteen_mistakes_reports_every_one_in_one_pass()
    {
        // Before: the four structural mistakes hid the other nine until they were fixed.
        var result = EnvironmentPipeline.Run(Fixture("invalid/thirteen-mistakes.yaml"), TargetSettings.Default);

        var paths = result.Errors.Select(e => e.Path).ToList();
        Assert.Equal(paths.Distinct().Count(), paths.Count);
        Assert.Subset(paths.ToHashSet(), new HashSet<string>
        {
            "metadata.costCentre",                  // misspelt (and not also "costCenter is required")
            "spec.ttl",                             // 200d on staging
            "spec.services[0].image",               // :latest
            "spec.services[0].port",                // 80
            "spec.services[0].uses[1]",             // evnts
            "spec.services[0].replicas.min",        // 500 on staging
            "spec.services[0].resources.memory",    // 64Gi
            "spec.services[0].env.1BAD",            // variable name
            "spec.services[1].type",                // wroker
            "spec.services[2].schedule",            // hour 25
            "spec.services[2].replics",             // misspelt
            "spec.resources[0].size",               // huge
            "spec.resources[1].type",               // bukket
        });
        Assert.DoesNotContain("metadata.costCenter", paths);
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
    }

    [Fact]
    public void Misspellings_suggest_the_word_meant()
    {
        var errors = EnvironmentPipeline.Run(Fixture("invalid/thirteen-mistakes.yaml"), TargetSettings.Default).Errors.ToDictionary(e => e.Path);

        Assert.Contains("Did you mean 'costCenter'?", errors["metadata.costCentre"].Fix, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'worker'?", errors["spec.services[1].type"].Fix, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'bucket'?", errors["spec.resources[1].type"].Fix, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'replicas'?", errors["spec.services[2].replics"].Fix, StringComparison.Ordinal);

        // A name in uses is checked against every declared name, those of entries that did not parse included.
        var uses = errors["spec.services[0].uses[1]"];
        Assert.Contains("Did you mean 'events'?", uses.Fix, StringComparison.Ordinal);
        Assert.Contains("ledger", uses.Fix, StringComparison.Ordinal);
        Assert.Contains("receipts", uses.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_min_above_the_tier_maximum_says_so_not_make_max_at_least_min()
    {
        var errors = EnvironmentPipeline.Run(Fixture("invalid/thirteen-mistakes.yaml"), TargetSettings.Default).Errors;

        var min = Assert.Single(errors, e => e.Path == "spec.services[0].replicas.min");
        Assert.Equal("min (500) is above the staging maximum of 10 replicas.", min.Message);
        Assert.Equal("Use a min between 1 and 10.", min.Fix);
        Assert.DoesNotContain(errors, e => e.Path == "spec.services[0].replicas.max");
    }

    [Theory]
    [InlineData("0 25 * * *", "the hour field (field 2, '25') has '25', outside 0-23")]
    [InlineData("61 * * * *", "the minute field (field 1, '61') has '61', outside 0-59")]
    [InlineData("0 0 32 * *", "the day-of-month field (field 3, '32') has '32', outside 1-31")]
    [InlineData("0 0 * 13 *", "the month field (field 4, '13') has '13', outside 1-12 or JAN-DEC")]
    [InlineData("0 0 * * 8", "the day-of-week field (field 5, '8') has '8', outside 0-6 or SUN-SAT")]
    // Kubernetes' cron parser (robfig/cron v3) has no 7 for Sunday: the API server would refuse the CronJob.
    [InlineData("0 3 * * 1-7", "the day-of-week field (field 5, '1-7') has '7', outside 0-6 or SUN-SAT (Sunday is 0 or SUN)")]
    [InlineData("0 3 * * 7", "the day-of-week field (field 5, '7') has '7', outside 0-6 or SUN-SAT (Sunday is 0 or SUN)")]
    [InlineData("0 3 * * */8", "the day-of-week field (field 5, '*/8') has a step '8' outside 1-7")]
    [InlineData("0 0 * *", "it has 4 fields, not 5")]
    [InlineData("*/0 * * * *", "the minute field (field 1, '*/0') has a step '0' outside 1-59")]
    [InlineData("0 5-2 * * *", "the hour field (field 2, '5-2') has the range '5-2', which runs backwards")]
    public void A_bad_cron_schedule_names_the_field_that_is_wrong(string schedule, string expected)
    {
        var text = $$"""
            apiVersion: platform/v1
            kind: Environment
            metadata: { name: jobs-dev, team: web, costCenter: cc-1 }
            spec:
              tier: dev
              services:
                - { name: nightly, type: cron, image: "registry.example.com/n:1.0.0", schedule: "{{schedule}}" }
            """;

        var error = Assert.Single(EnvironmentPipeline.Run(text, TargetSettings.Default).Errors);

        Assert.Equal("spec.services[0].schedule", error.Path);
        Assert.Equal($"'{schedule}' is not a cron schedule: {expected}.", error.Message);
    }

    [Theory]
    [InlineData("{\"apiVersion\": \"platform/v1\", \"kind\": \"Environment\",, }", "line 1, column 53", "Invalid JSON: ',' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("apiVersion: platform/v1\nkind: Environment\nmetadata: {name: a, team: b, costCenter: c\nspec:\n  tier: dev\n", null, "Invalid YAML")]
    [InlineData("apiVersion: platform/v1\nkind: Environment\nmetadata:\n  name: a\n   team: b\n", "metadata.name", "Invalid YAML: While scanning a plain scalar value, found invalid mapping (line 5, column 8).")]
    public void A_syntax_error_carries_a_path_or_a_position_once(string text, string? path, string message)
    {
        var error = Assert.Single(SpecParser.Parse(text).Errors);

        Assert.False(string.IsNullOrEmpty(error.Path));
        if (path is not null)
        {
            Assert.Equal(path, error.Path);
        }

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePosition", error.Message, StringComparison.Ordinal);
        var positions = System.Text.RegularExpressions.Regex.Count(error.Path + " " + error.Message, "line [0-9]+");
        Assert.Equal(1, positions);
    }

    [Fact]
    public void Settings_files_report_every_problem_with_path_suggestion_and_fix()
    {
        var ex = Assert.Throws<SettingsFormatException>(() => TargetSettings.Parse("""
            targets:
              eu:
                region: eu-west-1
                awsAccountId: 123456789012
                privateSubnetIds: subnet-1
                telemetry: { otlpEndpoint: "collector:4317", otlpProtocol: grcp }
              us: [nope]
            """));

        Assert.Equal(
            ["targets.eu.region", "targets.eu.telemetry.otlpEndpoint", "targets.eu.telemetry.otlpProtocol", "targets.eu.awsAccountId", "targets.eu.privateSubnetIds", "targets.us"],
            ex.Errors.Select(e => e.Path));
        Assert.Contains("Did you mean 'awsRegion'?", ex.Errors[0].Fix, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'grpc'?", ex.Errors[2].Fix, StringComparison.Ordinal);
        Assert.Equal("Quote it: awsAccountId: \"123456789012\".", ex.Errors[3].Fix);
        Assert.DoesNotContain("System.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ex.Errors.Length, ex.Message.Split(Environment.NewLine).Length);
    }

    [Fact]
    public void Policy_settings_report_every_problem_with_path_suggestion_and_fix()
    {
        var ex = Assert.Throws<SettingsFormatException>(() => Platform.Components.Policies.PolicySettings.Parse("""
            disabledAdvisoryRules:
              staging: [PLT009-bucket-versionin, PLT003-no-wildcard-iam]
              prd: []
            """));

        Assert.Equal(["disabledAdvisoryRules.staging[0]", "disabledAdvisoryRules.staging[1]", "disabledAdvisoryRules.prd"], ex.Errors.Select(e => e.Path));
        Assert.Contains("Did you mean 'PLT009-bucket-versioning'?", ex.Errors[0].Fix, StringComparison.Ordinal);
        Assert.Contains("mandatory", ex.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'prod'?", ex.Errors[2].Fix, StringComparison.Ordinal);
    }
}
