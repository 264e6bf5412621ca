using System.Collections.Immutable;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.Aws;

/// <summary>Whole plans (providers, Kubernetes and AWS paths) for AWS tests, and readable forms of plan values.</summary>
internal static class AwsPlans
{
    /// <summary>A target that names every network and identity fact.</summary>
    public static DeploymentTarget FullTarget { get; } = DeploymentTarget.Default with
    {
        Name = "eu-staging",
        AwsRegion = "eu-west-1",
        AwsAccountId = "123456789012",
        VpcId = "vpc-0abc",
        PrivateSubnetIds = ["subnet-1", "subnet-2"],
        ClusterSecurityGroupId = "sg-0cluster",
        OidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        OidcProviderUrl = "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    };

    public static ResourcePlan Compile(EnvironmentSpec spec, DeploymentTarget? target = null) =>
        PlanCompiler.Compile(spec, target ?? FullTarget);

    /// <summary>Resources on the AWS provider.</summary>
    public static ImmutableArray<PlannedResource> AwsResources(ResourcePlan plan) =>
        [.. plan.Resources.Where(r => r.Type.StartsWith("aws:", StringComparison.Ordinal))];

    /// <summary>A value as text: references as <c>${resource.property}</c>, config as <c>${config:key}</c>.</summary>
    public static string Describe(PlanValue? value) => value switch
    {
        null => "<missing>",
        PlanValue.Text t => t.Value,
        PlanValue.Number n => n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PlanValue.Bool b => b.Value ? "true" : "false",
        PlanValue.Reference r => $"${{{r.Resource}.{r.Property}}}",
        PlanValue.ConfigReference c => $"${{config:{c.Key}}}",
        PlanValue.Interpolation i => string.Concat(i.Parts.Select(Describe)),
        PlanValue.Secret s => $"secret({Describe(s.Value)})",
        _ => $"<{value.GetType().Name}>",
    };
}
