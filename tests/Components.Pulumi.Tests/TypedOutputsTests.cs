using Platform.Components.Pulumi.Tests.Testing;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

/// <summary>The README example's components expose what app teams consume, equal to the plan's outputs.</summary>
public sealed class TypedOutputsTests
{
    [Fact]
    public async Task ReadmeExample_TypedOutputs_AreThePlansOutputs_AndThePasswordIsSecret()
    {
        var (run, environment) = await PulumiRun.EnvironmentAsync(options =>
            new PlatformEnvironment("checkout-staging", BindingSpecs.Args("checkout-staging"), options));
        var oracle = new PlanOracle(environment.Plan, run.Mocks.States);
        string Planned(string output) => PlanOracle.Canonical(oracle.Evaluate(environment.Plan.Outputs.Single(o => o.Name == output).Value)).Trim('"');

        Assert.Equal(Planned("apiUrl"), await Outputs.ValueAsync(environment.WebService("api").Url!));
        var database = environment.PostgresDatabase("orders-db");
        Assert.Equal(Planned("ordersDbEndpoint"), await Outputs.ValueAsync(database.Endpoint!));
        Assert.Equal(Planned("ordersDbPort"), (await Outputs.ValueAsync(database.Port!)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The Secret is autonamed, so its name is the provider's (the mocks': Testing/RecordingMocks.Autonamed).
        Assert.Equal($"orders-db-connection-{RecordingMocks.AutonameSuffix}", await Outputs.ValueAsync(database.ConnectionSecretName));
        Assert.Equal(Planned("ordersDbConnectionSecret"), await Outputs.ValueAsync(database.ConnectionSecretName));
        Assert.True(await Output.IsSecretAsync(database.Password!));
        Assert.Equal(Planned("receiptsBucket"), await Outputs.ValueAsync(environment.Bucket("receipts").BucketName!));
        var queue = environment.Queue("events");
        Assert.Equal(Planned("eventsQueueUrl"), await Outputs.ValueAsync(queue.QueueUrl!));
        Assert.Equal(Planned("eventsDeadLetterQueueUrl"), await Outputs.ValueAsync(queue.DeadLetterQueueUrl!));
        Assert.NotEqual(await Outputs.ValueAsync(queue.QueueUrl!), await Outputs.ValueAsync(queue.DeadLetterQueueUrl!));
        Assert.Null(environment.Worker("ledger").Outputs.GetValueOrDefault("apiUrl"));
    }
}
