using System.Collections.Concurrent;
using k8s.Models;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.Kubernetes;

/// <summary>CPU and memory requests and limits of a container, all derived from the tier profile.</summary>
/// <param name="CpuRequest">CPU request, canonical quantity.</param>
/// <param name="MemoryRequest">Memory request, canonical quantity.</param>
/// <param name="CpuLimit">CPU limit: the request times <see cref="TierProfile.CpuLimitFactor"/>.</param>
/// <param name="MemoryLimit">Memory limit: the request times <see cref="TierProfile.MemoryLimitFactor"/>.</param>
internal sealed record ComputeSizing(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit)
{
    /// <summary>Sizing of a service: its declared requests, or the tier's defaults for whatever it leaves out.</summary>
    public static ComputeSizing For(ServiceSpec service, TierProfile profile) =>
        From(service.Resources?.Cpu ?? profile.DefaultCpuRequest, service.Resources?.Memory ?? profile.DefaultMemoryRequest, profile);

    /// <summary>The tier's default sizing (what the namespace LimitRange applies to containers that declare none).</summary>
    public static ComputeSizing Default(TierProfile profile) =>
        From(profile.DefaultCpuRequest, profile.DefaultMemoryRequest, profile);

    // Parsing and canonicalizing quantities is big-integer arithmetic, and thousands of services share a handful of
    // sizes: both are kept, up to a bound (specs come from users, so the set of values is theirs). A full table starts
    // over rather than freezing, so a service that has seen many odd sizes still keeps the ones in use now.
    private const int MaxKept = 1024;
    private static readonly ConcurrentDictionary<(string Cpu, string Memory, decimal CpuFactor, decimal MemoryFactor), ComputeSizing> Sizings = new();
    private static readonly ConcurrentDictionary<string, ResourceQuantity> SharedQuantities = new(StringComparer.Ordinal);

    /// <summary>Sizing from explicit requests.</summary>
    public static ComputeSizing From(string cpu, string memory, TierProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var key = (cpu, memory, profile.CpuLimitFactor, profile.MemoryLimitFactor);
        if (Sizings.TryGetValue(key, out var kept))
        {
            return kept;
        }

        var sizing = Compute(cpu, memory, profile);
        if (Sizings.Count >= MaxKept)
        {
            Sizings.Clear();
        }

        Sizings.TryAdd(key, sizing);
        return sizing;
    }

    private static ComputeSizing Compute(string cpu, string memory, TierProfile profile)
    {
        var cpuRequest = new ResourceQuantity(cpu);
        var memoryRequest = new ResourceQuantity(memory);
        return new ComputeSizing(
            cpuRequest.CanonicalizeString(),
            memoryRequest.CanonicalizeString(),
            Scale(cpuRequest, profile.CpuLimitFactor),
            Scale(memoryRequest, profile.MemoryLimitFactor));
    }

    /// <summary>The requirements block of a container.</summary>
    public V1ResourceRequirements ToRequirements() => new()
    {
        Requests = Quantities(CpuRequest, MemoryRequest),
        Limits = Quantities(CpuLimit, MemoryLimit),
    };

    /// <summary>A <c>cpu</c>/<c>memory</c> map of quantities.</summary>
    public static Dictionary<string, ResourceQuantity> Quantities(string cpu, string memory) => new(StringComparer.Ordinal)
    {
        ["cpu"] = Quantity(cpu),
        ["memory"] = Quantity(memory),
    };

    /// <summary>
    /// The quantity <paramref name="text"/>, one shared instance per value (quantities are immutable records), so
    /// its wire form is worked out once (<see cref="KubernetesInputs"/>).
    /// </summary>
    public static ResourceQuantity Quantity(string text)
    {
        if (SharedQuantities.TryGetValue(text, out var shared))
        {
            return shared;
        }

        if (SharedQuantities.Count >= MaxKept)
        {
            SharedQuantities.Clear();
        }

        return SharedQuantities.GetOrAdd(text, new ResourceQuantity(text));
    }

    /// <summary>Multiplies a quantity, keeping its suffix family (<c>512Mi × 1.5 = 768Mi</c>, <c>250m × 2 = 500m</c>).</summary>
    public static string Scale(ResourceQuantity quantity, decimal factor)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        return new ResourceQuantity(quantity.ToDecimal() * factor, 0, quantity.Format).CanonicalizeString();
    }
}
