using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Kubernetes;

public sealed class ConnectionConfigTests
{
    [Fact]
    public void A_buckets_config_map_names_the_generated_bucket()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var config = plan[ConnectionConfig.LogicalName("receipts")];

        Assert.Equal(KubernetesTypes.ConfigMap, config.Type);
        Assert.Equal(LogicalNames.KubernetesProvider, config.Options.Provider);
        Assert.Equal("receipts", config.Component);
        Assert.Null(config.Inputs.At("metadata.name")); // autonamed: a replaced bucket's ConfigMap comes under a new name
        Assert.Equal(PlanValue.Ref(LogicalNames.Namespace, "metadata.name"), config.Inputs.At("metadata.namespace"));
        Assert.Equal(PlanValue.Ref("receipts-bucket", "bucket"), config.Inputs.At("data").Key("RECEIPTS_BUCKET"));
        Assert.Equal(PlanValue.Ref("receipts-bucket", "arn"), config.Inputs.At("data").Key("RECEIPTS_BUCKET_ARN"));
    }

    [Fact]
    public void A_queues_config_map_names_its_urls_and_arn()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());
        var data = plan[ConnectionConfig.LogicalName("events")].Inputs.At("data");

        Assert.Equal(PlanValue.Ref("events-queue", "url"), data.Key("EVENTS_QUEUE_URL"));
        Assert.Equal(PlanValue.Ref("events-queue", "arn"), data.Key("EVENTS_QUEUE_ARN"));
        Assert.Equal(PlanValue.Ref("events-dlq", "url"), data.Key("EVENTS_DEAD_LETTER_QUEUE_URL"));
        Assert.Equal(3, ((PlanValue.Map)data!).Entries.Length);
    }

    [Theory]
    [InlineData("receipts", "BUCKET", "RECEIPTS_BUCKET")]
    [InlineData("orders-db", "HOST", "ORDERS_DB_HOST")]
    [InlineData("3d-models", "BUCKET", "_3D_MODELS_BUCKET")]
    public void Keys_are_environment_variable_names(string resource, string suffix, string expected)
    {
        Assert.Equal(expected, ConnectionConfig.Key(resource, suffix));
        Assert.Matches("^[A-Z_][A-Z0-9_]*$", ConnectionConfig.Key(resource, suffix));
    }
}
