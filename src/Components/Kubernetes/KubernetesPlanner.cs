using System.Buffers;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>A short stable hash of a service's plain environment, so a change rolls its pods.</summary>
    internal static string ConfigHash(IEnumerable<KeyValuePair<string, string>> data)
    {
        // The SHA-256 of the UTF-8 of "key=value" lines joined by '\n', written into one buffer: every service with
        // plain values is hashed, so neither the joined text, its bytes nor the full hex are made per service.
        var length = -1;
        foreach (var (key, value) in data)
        {
            length += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value ?? "") + 2;
        }

        length = Math.Max(length, 0);
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var text = rented is null ? stackalloc byte[1024] : rented.AsSpan();
        var written = 0;
        foreach (var (key, value) in data)
        {
            if (written > 0)
            {
                text[written++] = (byte)'\n';
            }

            written += Encoding.UTF8.GetBytes(key, text[written..]);
            text[written++] = (byte)'=';
            written += Encoding.UTF8.GetBytes(value ?? "", text[written..]);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text[..written], digest);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return Convert.ToHexStringLower(digest[..8]); // the first 16 hex digits
    }
}
