using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using Platform.Components.Tests.Aws;
using static Platform.Components.Tests.Policies.PolicyPlans;

namespace Platform.Components.Tests.Policies;

public sealed class PolicyEngineTests
{
    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Compiled_plans_pass_every_guardrail_with_the_default_settings(Tier tier)
    {
        var report = PolicyEngine.Evaluate(AwsPlans.Compile(TestSpecs.CheckoutStaging(tier)));

        Assert.Empty(report.Violations);
        Assert.False(report.IsBlocked);
        Assert.Equal(tier == Tier.Dev ? ["PLT009-bucket-versioning"] : [], report.DisabledRules);
    }

    [Fact]
    public void Dev_buckets_warn_about_versioning_when_every_rule_is_on()
    {
        var report = PolicyEngine.Evaluate(AwsPlans.Compile(TestSpecs.CheckoutStaging(Tier.Dev)), PolicySettings.AllEnabled);
        var violation = Assert.Single(report.Violations);

        Assert.Equal("PLT009-bucket-versioning", violation.RuleId);
        Assert.False(report.IsBlocked);
        Assert.Single(report.Advisory);
    }

    [Fact]
    public void A_mandatory_violation_blocks_the_plan_and_is_reported_first()
    {
        var plan = Build(Tier.Staging, b => Bucket(b, publicBlock: false, versioned: false));
        var report = PolicyEngine.Evaluate(plan);

        Assert.True(report.IsBlocked);
        Assert.Equal(["PLT001-no-public-bucket", "PLT009-bucket-versioning"], report.Violations.Select(v => v.RuleId));
        Assert.Contains("Blocked", report.ToString(), StringComparison.Ordinal);
        Assert.Contains("[mandatory] PLT001-no-public-bucket files-bucket:", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Switching_an_advisory_rule_off_for_a_tier_skips_it_only_there()
    {
        var settings = PolicySettings.Create(new Dictionary<Tier, IEnumerable<string>> { [Tier.Staging] = ["PLT009-bucket-versioning"] });
        var staging = PolicyEngine.Evaluate(Build(Tier.Staging, b => Bucket(b, versioned: false)), settings);
        var prod = PolicyEngine.Evaluate(Build(Tier.Prod, b => Bucket(b, versioned: false)), settings);

        Assert.Empty(staging.Violations);
        Assert.Contains("PLT009-bucket-versioning", staging.DisabledRules);
        Assert.Single(prod.Violations);
    }

    [Fact]
    public void Mandatory_rules_cannot_be_switched_off()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            PolicySettings.Create(new Dictionary<Tier, IEnumerable<string>> { [Tier.Dev] = ["PLT001-no-public-bucket"] }));

        Assert.Contains("mandatory", error.Message, StringComparison.Ordinal);
        Assert.True(PolicySettings.Default.IsEnabled(GuardrailRules.NoPublicBucket, Tier.Dev));
    }

    [Fact]
    public void Settings_files_switch_advisory_rules_per_tier()
    {
        var settings = PolicySettings.Parse("""
            disabledAdvisoryRules:
              staging: [PLT010-standard-tags]
              prod: []
            """);

        Assert.False(settings.IsEnabled(GuardrailRules.StandardTags, Tier.Staging));
        Assert.True(settings.IsEnabled(GuardrailRules.StandardTags, Tier.Prod));
        Assert.True(settings.IsEnabled(GuardrailRules.BucketVersioning, Tier.Dev));
    }

    [Theory]
    [InlineData("disabledAdvisoryRules:\n  dev: [PLT003-no-wildcard-iam]\n", "mandatory")]
    [InlineData("disabledAdvisoryRules:\n  dev: [PLT999-nothing]\n", "not a guardrail")]
    [InlineData("disabledAdvisoryRules:\n  qa: []\n", "unknown tier")]
    [InlineData("rules: {}\n", "one top-level key")]
    public void Invalid_settings_files_are_rejected_with_the_reason(string text, string expected)
    {
        var error = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() => PolicySettings.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_settings_file_on_disk_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policies-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "disabledAdvisoryRules:\n  prod: [PLT010-standard-tags]\n");
        try
        {
            var settings = PolicySettings.Load(path);

            Assert.Equal(["PLT010-standard-tags"], settings.DisabledIn(Tier.Prod));
            Assert.Empty(settings.DisabledIn(Tier.Dev));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_settings_file_gives_the_defaults()
    {
        Assert.Same(PolicySettings.Default, PolicySettings.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "policies.yaml")));
        Assert.Equal(["PLT009-bucket-versioning"], PolicySettings.Default.DisabledIn(Tier.Dev));
        Assert.Empty(PolicySettings.Default.DisabledIn(Tier.Prod));
    }

    [Fact]
    public void A_plan_built_by_hand_is_judged_by_its_resources()
    {
        var plan = PlanCompiler.Compile(TestSpecs.CheckoutStaging(Tier.Prod) with
        {
            Services = [.. TestSpecs.CheckoutStaging(Tier.Prod).Services.Select(s => s with { Replicas = new ReplicaRange(1, 1) })],
        }, Platform.Components.Targets.DeploymentTarget.Default);
        var report = PolicyEngine.Evaluate(plan);

        Assert.True(report.IsBlocked);
        Assert.Contains(report.Violations, v => v.RuleId == "PLT008-prod-web-availability" && v.Resource == "api-deployment");
    }
}
