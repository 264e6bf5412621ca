using System.Collections.Immutable;
using k8s.Models;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Adds the environment's Kubernetes resources to a plan: the namespace baseline (namespace, quota, limit range,
/// default-deny policy) and, per service, its golden path (<see cref="ServiceResources"/>).
/// Every object is built from the client's typed models and uses the explicit Kubernetes provider.
/// </summary>
internal static class KubernetesPlanner
{
    /// <summary>Logical name of the namespace's ResourceQuota.</summary>
    public const string ResourceQuota = "resource-quota";

    /// <summary>Logical name of the namespace's LimitRange.</summary>
    public const string LimitRange = "limit-range";

    /// <summary>Logical name of the namespace's default-deny NetworkPolicy.</summary>
    public const string DefaultDeny = "default-deny";

    /// <summary>Logical name of the NetworkPolicy admitting cert-manager's HTTP-01 solvers (environments with public hosts).</summary>
    public const string AcmeSolver = "acme-http01-solver";

    /// <summary>Options of every Kubernetes resource: the explicit provider.</summary>
    internal static PlanResourceOptions Options { get; } = PlanResourceOptions.WithProvider(LogicalNames.KubernetesProvider);

    /// <summary>Adds the namespace baseline and every service's resources.</summary>
    /// <param name="context">The plan being built.</param>
    /// <param name="reservedConfigKeys">
    /// Every config key another planner may declare. A secret env key never takes one: it would be a second, secret
    /// declaration of a plain entry, which the CLI refuses ("must be encrypted as it's secret") and the plan builder
    /// rejects. The caller, which runs all planners, passes their keys, as the Kubernetes planner knows no other.
    /// </param>
    public static void Plan(PlanContext context, IEnumerable<string> reservedConfigKeys)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reservedConfigKeys);
        if (context.Spec.Services.FirstOrDefault(s => WorkloadDefaults.ReservedServiceNames.Contains(s.Name)) is { } reserved)
        {
            throw new InvalidOperationException($"Service '{reserved.Name}' has a name the namespace's own objects use; the spec validator should have rejected it.");
        }

        PlanNamespace(context);
        var secretKeys = SecretConfigKeys.For(context.Spec, reservedConfigKeys);
        foreach (var service in context.Spec.Services)
        {
            ServiceResources.Plan(context, service, secretKeys);
        }
    }

    private static void PlanNamespace(PlanContext context)
    {
        var builder = context.Builder;
        var environment = context.Spec.Name;
        var environmentLabels = WorkloadLabels.Environment(context);
        var labels = new SharedLabels(environmentLabels);

        // Pod Security admission rejects any pod that is not "restricted"; warn makes kubectl say why.
        var namespaceLabels = environmentLabels.SetItems(
        [
            KeyValuePair.Create("pod-security.kubernetes.io/enforce", WorkloadDefaults.PodSecurityLevel),
            KeyValuePair.Create("pod-security.kubernetes.io/warn", WorkloadDefaults.PodSecurityLevel),
        ]);
        builder.Add(LogicalNames.Namespace, KubernetesTypes.Namespace, KubernetesInputs.From(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = context.Namespace, Labels = new SharedLabels(namespaceLabels) },
        }), environment, Options);

        var profile = context.Profile;
        builder.Add(ResourceQuota, KubernetesTypes.ResourceQuota, KubernetesInputs.Namespaced(new V1ResourceQuota
        {
            Metadata = Metadata(context, context.Spec.Name, labels),
            Spec = new V1ResourceQuotaSpec
            {
                Hard = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                {
                    ["pods"] = ComputeSizing.Quantity(profile.QuotaPods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ["requests.cpu"] = ComputeSizing.Quantity(profile.QuotaCpu),
                    ["requests.memory"] = ComputeSizing.Quantity(profile.QuotaMemory),
                },
            },
        }), environment, Options);

        // Containers that declare nothing get the tier's default sizing; none may exceed the largest allowed
        // request times the tier's limit factors.
        var defaults = ComputeSizing.Default(profile);
        var largest = ComputeSizing.From(profile.MaxCpuRequest, profile.MaxMemoryRequest, profile);
        builder.Add(LimitRange, KubernetesTypes.LimitRange, KubernetesInputs.Namespaced(new V1LimitRange
        {
            Metadata = Metadata(context, context.Spec.Name, labels),
            Spec = new V1LimitRangeSpec
            {
                Limits =
                [
                    new V1LimitRangeItem
                    {
                        Type = "Container",
                        DefaultRequest = ComputeSizing.Quantities(defaults.CpuRequest, defaults.MemoryRequest),
                        DefaultProperty = ComputeSizing.Quantities(defaults.CpuLimit, defaults.MemoryLimit),
                        Max = ComputeSizing.Quantities(largest.CpuLimit, largest.MemoryLimit),
                    },
                ],
            },
        }), environment, Options);

        builder.Add(DefaultDeny, KubernetesTypes.NetworkPolicy, KubernetesInputs.Namespaced(new V1NetworkPolicy
        {
            Metadata = Metadata(context, WorkloadDefaults.DefaultDenyPolicyName, labels),
            Spec = NetworkPolicies.DefaultDeny(),
        }), environment, Options);

        if (context.Spec.Services.Any(s => s.Type == ServiceType.Web && s.Host is not null))
        {
            builder.Add(AcmeSolver, KubernetesTypes.NetworkPolicy, KubernetesInputs.Namespaced(new V1NetworkPolicy
            {
                Metadata = Metadata(context, WorkloadDefaults.AcmeSolverPolicyName, labels),
                Spec = NetworkPolicies.AcmeSolver(context),
            }), environment, Options);
        }
    }

    /// <summary>Object metadata in the environment's namespace (a placeholder until <see cref="KubernetesInputs.Namespaced(object)"/>).</summary>
    internal static V1ObjectMeta Metadata(PlanContext context, string name, SharedLabels labels) => new()
    {
        Name = PhysicalName.Create(PhysicalName.KubernetesLabel, name),
        NamespaceProperty = context.Namespace,
        Labels = labels,
    };

    /// <summary>
    /// Metadata of an object pods load whole with <c>envFrom</c> (a service's environment, a resource's connection
    /// details): in the namespace, with no name, so Pulumi names it <c>{logical name}-{random suffix}</c>, and pods
    /// refer to it by its <c>metadata.name</c> output.
    /// </summary>
    /// <remarks>
    /// Unless the provider is configured with <c>enableConfigMapMutable</c>/<c>enableSecretMutable</c>, a change of a
    /// ConfigMap's <c>data</c> or a Secret's <c>data</c>/<c>stringData</c>/<c>type</c> replaces the object
    /// (pulumi/pulumi-kubernetes, provider/pkg/provider/diff.go, <c>forceNewProperties</c>). A named object is replaced
    /// delete-before-create under the same name (provider/pkg/provider/provider.go, <c>Diff</c>: DeleteBeforeReplace
    /// unless <c>metadata.IsAutonamed</c>): a window with no object, and pods that reference it by that name never
    /// restart, so they keep the old values. An autonamed one gets a new name on replacement (the engine runs
    /// <c>Check</c> again without old inputs, pulumi/pulumi pkg/resource/deploy/step_generator.go, and
    /// provider/pkg/metadata/naming.go <c>AssignNameIfAutonamable</c> names it <c>{URN name}-</c> plus a random
    /// suffix), is created before the old one is deleted, and changes the pod template that refers to its name, which
    /// rolls the pods. The name is all that changes in the template: no digest of the values, which for a Secret
    /// would let anyone who reads the Deployment test guesses of a low-entropy secret.
    /// </remarks>
    internal static V1ObjectMeta AutonamedMetadata(PlanContext context, IDictionary<string, string> labels) => new()
    {
        NamespaceProperty = context.Namespace,
        Labels = labels,
    };
}
