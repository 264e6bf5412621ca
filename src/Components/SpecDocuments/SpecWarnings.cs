using System.Collections.Immutable;
using System.Globalization;
using Platform.Components.Costs;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// Advisory warnings for specs that are valid but probably not what was meant: they never block a deployment, and
/// each has the path, what will happen and the fix, like an error.
/// </summary>
internal static class SpecWarnings
{
    /// <summary>The fewest replicas a PodDisruptionBudget of <c>maxUnavailable: 1</c> keeps serving through a node drain.</summary>
    public const int DisruptionSafeReplicas = 2;

    /// <summary>Every warning for a valid <paramref name="spec"/>; <paramref name="cost"/> adds what unused resources cost.</summary>
    /// <param name="spec">A spec that passed validation.</param>
    /// <param name="cost">The plan's cost estimate, when there is one.</param>
    public static ImmutableArray<SpecError> For(EnvironmentSpec spec, CostEstimate? cost = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var warnings = ImmutableArray.CreateBuilder<SpecError>();
        var profile = TierProfile.For(spec.Tier);

        // Looked up once: a scan of every service per uses entry made warnings quadratic in the services.
        var servicesByName = new Dictionary<string, (ServiceSpec Service, int Index)>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Services.Length; i++)
        {
            servicesByName.TryAdd(spec.Services[i].Name, (spec.Services[i], i));
        }

        var used = spec.Services.SelectMany(s => s.Uses).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < spec.Services.Length; i++)
        {
            var service = spec.Services[i];
            var path = $"spec.services[{i}]";
            for (var u = 0; u < service.Uses.Length; u++)
            {
                // Network policy opens a used service only on its port: a worker without one gets no rule at all.
                if (servicesByName.TryGetValue(service.Uses[u], out var target) && target.Service is { Type: ServiceType.Worker, EffectivePort: null } worker)
                {
                    warnings.Add(new SpecError($"{path}.uses[{u}]",
                        $"'{worker.Name}' is a worker without a port, so '{service.Name}' can reach nothing there: network policy opens a service only on its port.",
                        $"Declare the port '{worker.Name}' listens on (spec.services[{target.Index}].port), or remove it from uses."));
                }
            }

            if (profile.DisruptionBudget && service.Type != ServiceType.Cron &&
                (service.Replicas ?? profile.DefaultReplicas).Min < DisruptionSafeReplicas)
            {
                var tier = Ownership.TierName(spec.Tier);
                warnings.Add(new SpecError($"{path}.replicas.min",
                    $"With {(service.Replicas ?? profile.DefaultReplicas).Min} replica, the {tier} PodDisruptionBudget (maxUnavailable 1) lets a node drain evict the only pod, so '{service.Name}' is down while it restarts elsewhere.",
                    $"Use replicas.min of at least {DisruptionSafeReplicas}."));
            }
        }

        for (var i = 0; i < spec.Resources.Length; i++)
        {
            var resource = spec.Resources[i];

            // A resource inside the private network answers only the services that use it: unused, it is only a bill.
            if (ResourceKinds.Of(resource).UsesPrivateNetwork && !used.Contains(resource.Name))
            {
                var monthly = cost?.Components.FirstOrDefault(c => c.Component == resource.Name) is { } component
                    ? $" and costs an estimated {component.Monthly.ToString("N2", CultureInfo.InvariantCulture)} {cost.Currency} a month"
                    : "";
                warnings.Add(new SpecError($"spec.resources[{i}]",
                    $"No service uses the {resource.Type} '{resource.Name}': only services that list it in uses can reach it, so it is unreachable{monthly}.",
                    $"Add '{resource.Name}' to the uses of the services that need it, or remove it."));
            }
        }

        return warnings.ToImmutable();
    }
}
