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

    /// <summary>The README's example spec text (examples/checkout-staging.yaml).</summary>
    public static string CheckoutStagingYaml => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
}
