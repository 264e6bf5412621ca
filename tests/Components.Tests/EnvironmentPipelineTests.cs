using Platform.Components.Planning;
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
    public void Structural_errors_stop_before_validation()
    {
        var result = EnvironmentPipeline.Run("kind: Environment\n", TargetSettings.Default);

        Assert.False(result.Succeeded);
        Assert.Null(result.Spec);
        Assert.Null(result.Plan);
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
}
