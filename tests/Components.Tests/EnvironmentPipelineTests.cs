using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests;

public sealed class EnvironmentPipelineTests
{
    [Fact]
    public void The_example_spec_compiles_to_the_same_plan_as_the_compiler_gives()
    {
        var result = EnvironmentPipeline.Run(TestSpecs.CheckoutStagingYaml, TargetSettings.Default);

        Assert.True(result.Succeeded);
        Assert.Empty(result.Errors);
        Assert.Equal(DeploymentTarget.Default, result.Target);
        Assert.Equal(PlanCompiler.Compile(TestSpecs.CheckoutStaging(), DeploymentTarget.Default).Resources, result.Plan.Resources);
    }

    [Fact]
    public void A_compiled_plan_comes_with_its_guardrail_report_and_cost_estimate()
    {
        var result = EnvironmentPipeline.Run(TestSpecs.CheckoutStagingYaml, TargetSettings.Default);

        Assert.True(result.Succeeded);
        Assert.False(result.IsBlocked);
        Assert.Equal("checkout-staging", result.Policy.Environment);
        Assert.NotEmpty(result.Policy.EvaluatedRules);
        Assert.True(result.Cost.MonthlyTotal > 0);
        Assert.Equal(result.Cost.MonthlyTotal, PlanSummary.Of(result.Plan, result.Cost).EstimatedMonthlyCost);
    }

    [Fact]
    public void Policy_settings_decide_which_advisory_rules_run()
    {
        var text = """
            apiVersion: platform/v1
            kind: Environment
            metadata: { name: files-dev, team: web, costCenter: cc-42 }
            spec:
              tier: dev
              services:
                - { name: web, type: web, image: "registry.example.com/web/files:1.0.0", uses: [uploads] }
              resources:
                - { name: uploads, type: bucket }
            """;

        var defaults = EnvironmentPipeline.Run(text, TargetSettings.Default);
        var allOn = EnvironmentPipeline.Run(text, TargetSettings.Default, Platform.Components.Policies.PolicySettings.AllEnabled);

        Assert.DoesNotContain(defaults.Policy!.Violations, v => v.RuleId == "PLT009-bucket-versioning");
        Assert.Contains(allOn.Policy!.Violations, v => v.RuleId == "PLT009-bucket-versioning");
        Assert.False(allOn.IsBlocked);
    }

    [Fact]
    public void Structural_errors_stop_before_validation()
    {
        var result = EnvironmentPipeline.Run("kind: Environment\n", TargetSettings.Default);

        Assert.False(result.Succeeded);
        Assert.Null(result.Spec);
        Assert.Null(result.Plan);
        Assert.Null(result.Policy);
        Assert.Null(result.Cost);
        Assert.False(result.IsBlocked);
        Assert.Contains(result.Errors, e => e.Path == "apiVersion");
    }

    [Fact]
    public void Semantic_errors_keep_the_spec_and_give_no_plan()
    {
        var text = TestSpecs.CheckoutStagingYaml.Replace("checkout-api:1.4.2", "checkout-api:latest", StringComparison.Ordinal);

        var result = EnvironmentPipeline.Run(text, TargetSettings.Default);

        Assert.False(result.Succeeded);
        Assert.NotNull(result.Spec);
        Assert.Null(result.Plan);
        Assert.Contains(result.Errors, e => e.Path == "spec.services[0].image");
    }

    [Fact]
    public void An_unknown_target_is_an_error_on_spec_target()
    {
        var text = TestSpecs.CheckoutStagingYaml.Replace("target: default", "target: mars", StringComparison.Ordinal);

        var result = EnvironmentPipeline.Run(text, TargetSettings.Default);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == "spec.target" && e.Fix.Contains("default", StringComparison.Ordinal));
    }

    [Fact]
    public void A_named_target_is_used_for_the_plan()
    {
        var targets = TargetSettings.Parse("targets:\n  eu:\n    kubeContext: eks-eu\n");
        var text = TestSpecs.CheckoutStagingYaml.Replace("target: default", "target: eu", StringComparison.Ordinal);

        var result = EnvironmentPipeline.Run(text, targets);

        Assert.True(result.Succeeded);
        Assert.Equal("eu", result.Plan.Target);
        Assert.Equal("eks-eu", result.Plan.StackConfig["kubernetesContext"].Value);
    }

    [Fact]
    public void The_gates_name_each_mandatory_violation_then_the_settings_the_target_lacks()
    {
        var result = EnvironmentPipeline.Run(TestSpecs.CheckoutStagingYaml, TargetSettings.Default);
        var violation = new PolicyViolation("PLT001-no-public-bucket", PolicySeverity.Mandatory, "receipts-bucket", "Bucket 'receipts-bucket' is public.");
        var blocked = result with { Policy = result.Policy! with { Violations = [violation] } };

        var errors = blocked.GateErrors();

        Assert.Equal(["policies.PLT001-no-public-bucket", "spec.target"], errors.Select(e => e.Path));
        Assert.Equal("receipts-bucket: Bucket 'receipts-bucket' is public.", errors[0].Message);
        Assert.Equal($"Deployment target 'default' lacks settings this environment needs: {string.Join(", ", result.Plan!.UnsetConfigKeys)}.", errors[1].Message);
        Assert.Contains("vpcId", result.Plan.UnsetConfigKeys);
    }

    [Fact]
    public void A_setting_the_stack_holds_itself_passes_the_gate()
    {
        var result = EnvironmentPipeline.Run(TestSpecs.CheckoutStagingYaml, TargetSettings.Default);

        Assert.NotEmpty(result.GateErrors());
        Assert.Empty(result.GateErrors(_ => true));
        Assert.DoesNotContain("vpcId", result.GateErrors(key => key == "vpcId").Single().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", "")]
    [InlineData("default", "complete")]
    [InlineData("nowhere", "complete")]
    [InlineData("default", "invalid")]
    public void Check_reports_exactly_what_the_run_and_its_gates_report(string target, string variant)
    {
        // What the API checks before it accepts a spec must be what the full pipeline refuses, error for error.
        var targets = variant == "" ? TargetSettings.Default : TargetSettings.Parse(
            "targets:\n  default:\n    awsRegion: eu-west-1\n    vpcId: vpc-1\n    privateSubnetIds: [subnet-1, subnet-2]\n" +
            "    clusterSecurityGroupId: sg-1\n    oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.example\n" +
            "    oidcProviderUrl: oidc.eks.example\n");
        var text = TestSpecs.CheckoutStagingYaml.Replace("target: default", $"target: {target}", StringComparison.Ordinal);
        if (variant == "invalid")
        {
            text = text.Replace("checkout-api:1.4.2", "checkout-api:latest", StringComparison.Ordinal);
        }

        var run = EnvironmentPipeline.Run(text, targets);
        var expected = run.Succeeded ? run.GateErrors() : run.Errors;

        var checkedErrors = EnvironmentPipeline.Check(SpecParser.Parse(text).Spec!, targets);

        Assert.Equal(expected, checkedErrors);
        Assert.Equal(variant == "complete" && target == "default", checkedErrors.IsEmpty);
    }

    [Fact]
    public void A_failed_run_has_no_gate_errors_of_its_own()
    {
        var result = EnvironmentPipeline.Run("kind: Nope", TargetSettings.Default);

        Assert.False(result.Succeeded);
        Assert.Empty(result.GateErrors());
    }
}
