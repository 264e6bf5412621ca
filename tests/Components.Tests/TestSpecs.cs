using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Tests;

/// <summary>Specs built in code, so tests of one golden path do not depend on the parser.</summary>
internal static class TestSpecs
{
    /// <summary>The README's example (examples/checkout-staging.yaml), built by hand.</summary>
    public static EnvironmentSpec CheckoutStaging(Tier tier = Tier.Staging) => new(
        new EnvironmentMetadata("checkout-staging", "payments", "cc-1234"),
        tier,
        EnvironmentSpec.DefaultTarget,
        TimeSpan.FromHours(72),
        [
            ServiceSpec.Create("api", ServiceType.Web, "registry.example.com/payments/checkout-api:1.4.2") with
            {
                Port = 8080,
                Host = "checkout",
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("LOG_LEVEL", EnvValue.Plain("info")),
                Uses = ["orders-db", "receipts", "events", "ledger"],
                Replicas = new ReplicaRange(2, 6),
                Resources = new ComputeResources("250m", "512Mi"),
            },
            ServiceSpec.Create("ledger", ServiceType.Worker, "registry.example.com/payments/ledger:2.0.0") with
            {
                Uses = ["events"],
            },
        ],
        [
            ResourceSpec.Create("orders-db", "postgres").With("size", "small"),
            ResourceSpec.Create("receipts", "bucket"),
            ResourceSpec.Create("events", "queue"),
        ]);

    /// <summary>The example spec's text, as users write it.</summary>
    public static string CheckoutStagingYaml => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
}
