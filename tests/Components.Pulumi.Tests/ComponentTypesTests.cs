using Platform.Components.Kubernetes;
using Platform.Components.Resources;

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
        Assert.Equal(ComponentTypes.PostgresDatabase, ResourceKinds.Get("postgres").ComponentType);
        Assert.Equal(ComponentTypes.Bucket, ResourceKinds.Get("bucket").ComponentType);
        Assert.Equal(ComponentTypes.Queue, ResourceKinds.Get("queue").ComponentType);
    }
}
