using Platform.Components.Pulumi.Tests.Testing;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

/// <summary>
/// The binding runs the gated pipeline the CLI and the Automation API run: a plan the API would refuse fails the
/// Pulumi program with the API's errors, and creates nothing.
/// </summary>
public sealed class GatedPipelineTests
{
    private static PlatformEnvironmentArgs CheckoutOn(DeploymentTarget target) => new() { SpecText = BindingSpecs.CheckoutStagingYaml, Target = target };

    [Fact]
    public async Task A_target_lacking_settings_fails_the_program_with_the_errors_the_api_reports()
    {
        var target = BindingSpecs.ExampleTarget with { VpcId = null, ClusterSecurityGroupId = null };

        var error = await Assert.ThrowsAsync<RunException>(() => PulumiRun.EnvironmentAsync(options => new PlatformEnvironment("checkout", CheckoutOn(target), options)));

        // The same gate, hence the same words, as the Automation API's 400 and the CLI's refusal.
        var expected = EnvironmentPipeline.Run(BindingSpecs.CheckoutStagingYaml.Replace("target: default", $"target: {target.Name}", StringComparison.Ordinal), TargetSettings.From([target])).GateErrors();
        var gate = Assert.Single(expected);
        Assert.Equal("spec.target", gate.Path);
        Assert.Contains("Deployment target 'default' lacks settings this environment needs: vpcId, clusterSecurityGroupId.", error.Message, StringComparison.Ordinal);
        Assert.Contains(gate.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_lacking_settings_deploys_when_the_stack_sets_them()
    {
        var target = BindingSpecs.ExampleTarget with { VpcId = null, ClusterSecurityGroupId = null };

        var (run, environment) = await PulumiRun.EnvironmentAsync(
            options => new PlatformEnvironment("checkout", CheckoutOn(target), options),
            new Dictionary<string, string> { ["vpcId"] = "vpc-0stack", ["clusterSecurityGroupId"] = "sg-0stack" });

        var group = environment.Plan.OfType("aws:ec2/securityGroup:SecurityGroup").First();
        Assert.Equal("vpc-0stack", run.Mocks.Registration(group.Name).Inputs["vpcId"]);
    }

    [Fact]
    public async Task A_value_the_stack_holds_as_a_secret_stays_secret_though_the_plan_says_plain()
    {
        var (_, environment) = await PulumiRun.EnvironmentAsync(
            options => new PlatformEnvironment("checkout", CheckoutOn(BindingSpecs.ExampleTarget), options),
            new Dictionary<string, string> { ["vpcId"] = "vpc-0secret" },
            ["vpcId"]);

        Assert.False(environment.Plan.Config.Single(c => c.Key == "vpcId").Secret);
        var group = environment.Plan.OfType("aws:ec2/securityGroup:SecurityGroup").First();
        Assert.Contains("vpcId", await Outputs.SecretPathsAsync(environment.Inputs[group.Name]));
    }

    [Fact]
    public async Task A_plain_stack_value_stays_plain()
    {
        var (_, environment) = await PulumiRun.EnvironmentAsync(
            options => new PlatformEnvironment("checkout", CheckoutOn(BindingSpecs.ExampleTarget), options),
            new Dictionary<string, string> { ["vpcId"] = "vpc-0plain" });

        var group = environment.Plan.OfType("aws:ec2/securityGroup:SecurityGroup").First();
        Assert.DoesNotContain("vpcId", await Outputs.SecretPathsAsync(environment.Inputs[group.Name]));
    }

    [Fact]
    public void The_policy_settings_given_are_the_ones_the_pipeline_runs()
    {
        // Dev buckets keep no versions, an advisory rule the default settings switch off in dev.
        var spec = BindingSpecs.ShopDev() with { Resources = [ResourceSpec.Create("files", ResourceType.Bucket)] };

        var defaults = new PlatformEnvironmentArgs { Spec = spec }.Compile(_ => false);
        var allOn = new PlatformEnvironmentArgs { Spec = spec, Policies = Policies.PolicySettings.AllEnabled }.Compile(_ => false);

        Assert.DoesNotContain(defaults.Policy!.Violations, v => v.RuleId == Policies.GuardrailRules.BucketVersioning.Id);
        Assert.Contains(allOn.Policy!.Violations, v => v.RuleId == Policies.GuardrailRules.BucketVersioning.Id);
    }
}
