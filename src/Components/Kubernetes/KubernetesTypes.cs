namespace Platform.Components.Kubernetes;

/// <summary>Pulumi Kubernetes provider type tokens and the component types of the Kubernetes golden paths.</summary>
internal static class KubernetesTypes
{
    /// <summary><c>core/v1</c> Namespace.</summary>
    public const string Namespace = "kubernetes:core/v1:Namespace";

    /// <summary><c>core/v1</c> ServiceAccount.</summary>
    public const string ServiceAccount = "kubernetes:core/v1:ServiceAccount";

    /// <summary><c>core/v1</c> ConfigMap.</summary>
    public const string ConfigMap = "kubernetes:core/v1:ConfigMap";

    /// <summary><c>core/v1</c> Secret.</summary>
    public const string Secret = "kubernetes:core/v1:Secret";

    /// <summary><c>core/v1</c> Service.</summary>
    public const string Service = "kubernetes:core/v1:Service";

    /// <summary><c>core/v1</c> ResourceQuota.</summary>
    public const string ResourceQuota = "kubernetes:core/v1:ResourceQuota";

    /// <summary><c>core/v1</c> LimitRange.</summary>
    public const string LimitRange = "kubernetes:core/v1:LimitRange";

    /// <summary><c>apps/v1</c> Deployment.</summary>
    public const string Deployment = "kubernetes:apps/v1:Deployment";

    /// <summary><c>batch/v1</c> CronJob.</summary>
    public const string CronJob = "kubernetes:batch/v1:CronJob";

    /// <summary><c>networking.k8s.io/v1</c> Ingress.</summary>
    public const string Ingress = "kubernetes:networking.k8s.io/v1:Ingress";

    /// <summary><c>networking.k8s.io/v1</c> NetworkPolicy.</summary>
    public const string NetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

    /// <summary><c>autoscaling/v2</c> HorizontalPodAutoscaler.</summary>
    public const string HorizontalPodAutoscaler = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

    /// <summary><c>policy/v1</c> PodDisruptionBudget.</summary>
    public const string PodDisruptionBudget = "kubernetes:policy/v1:PodDisruptionBudget";

    /// <summary>Component type of a <c>web</c> service.</summary>
    public const string WebServiceComponent = "platform:kubernetes:WebService";

    /// <summary>Component type of a <c>worker</c> service.</summary>
    public const string WorkerComponent = "platform:kubernetes:Worker";

    /// <summary>Component type of a <c>cron</c> service.</summary>
    public const string CronJobComponent = "platform:kubernetes:CronJob";
}
