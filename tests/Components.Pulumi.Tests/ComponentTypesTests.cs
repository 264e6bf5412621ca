using Platform.Components.Aws;
using Platform.Components.Kubernetes;

namespace Platform.Components.Pulumi.Tests;

public sealed class ComponentTypesTests
{
    [Fact]
    public void KubernetesComponentTypes_AreThePlannersTokens()
    {
        Assert.Equal(KubernetesTypes.WebServiceComponent, ComponentTypes.WebService);
        Assert.Equal(KubernetesTypes.WorkerComponent, ComponentTypes.Worker);
        Assert.Equal(KubernetesTypes.CronJobComponent, ComponentTypes.CronJob);
    }

    [Fact]
    public void AwsComponentTypes_AreThePlannersTokens()
    {
        Assert.Equal(AwsTypes.PostgresComponent, ComponentTypes.PostgresDatabase);
        Assert.Equal(AwsTypes.BucketComponent, ComponentTypes.Bucket);
        Assert.Equal(AwsTypes.QueueComponent, ComponentTypes.Queue);
    }
}
