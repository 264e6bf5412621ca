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
}
