using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Pulumi.Tests.Testing;

/// <summary>Specs and plans built in code for the binding's tests.</summary>
internal static class BindingSpecs
{
    /// <summary>One service of each kind, a plain and a secret environment variable; no cloud resources.</summary>
    public static EnvironmentSpec ShopDev() => new(
        new EnvironmentMetadata("shop-dev", "web", "cc-42"),
        Tier.Dev,
        EnvironmentSpec.DefaultTarget,
        null,
        [
            ServiceSpec.Create("api", ServiceType.Web, "registry.example.com/web/api:1.0.0") with
            {
                Host = "shop",
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty
                    .Add("LOG_LEVEL", EnvValue.Plain("info"))
                    .Add("API_TOKEN", EnvValue.Secret("s3cr3t-token")),
            },
            ServiceSpec.Create("jobs", ServiceType.Worker, "registry.example.com/web/jobs:1.0.0"),
            ServiceSpec.Create("nightly", ServiceType.Cron, "registry.example.com/web/nightly:1.0.0") with { Schedule = "0 3 * * *" },
        ],
        []);

    /// <summary>
    /// The zero-configuration target plus the network and identity facts the AWS golden paths read as stack config,
    /// so every config entry of the README example has a value.
    /// </summary>
    public static Targets.DeploymentTarget ExampleTarget { get; } = Targets.DeploymentTarget.Default with
    {
        AwsRegion = "eu-west-1",
        VpcId = "vpc-0abc",
        VpcCidr = "10.0.0.0/16",
        PrivateSubnetIds = ["subnet-1", "subnet-2"],
        ClusterSecurityGroupId = "sg-0abc",
        OidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        OidcProviderUrl = "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    };

    /// <summary>The environments the binding's tests run: a Kubernetes-only one and the README's example.</summary>
    public static TheoryData<string> Environments => ["shop-dev", "checkout-staging"];

    /// <summary>The args of one of <see cref="Environments"/>.</summary>
    public static PlatformEnvironmentArgs Args(string environment) => environment switch
    {
        "shop-dev" => new PlatformEnvironmentArgs { Spec = ShopDev() },
        "checkout-staging" => new PlatformEnvironmentArgs { SpecText = CheckoutStagingYaml, Target = ExampleTarget },
        _ => throw new ArgumentOutOfRangeException(nameof(environment)),
    };

    /// <summary>The README's example spec text (examples/checkout-staging.yaml).</summary>
    public static string CheckoutStagingYaml => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
}
