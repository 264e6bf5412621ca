using System.Collections.Frozen;
using System.Globalization;
using k8s.Models;
using Platform.Components.Costs.Prices;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Resources;
using static Platform.Components.Policies.PlanReading;

namespace Platform.Components.Costs;

/// <summary>
/// Estimates a plan's monthly cost from its resources' inputs (never from the spec): Kubernetes workloads by the
/// CPU and memory they request times their replica floor, managed resources by their kind's cost model
/// (<see cref="ResourceKind"/>: RDS by instance class, Multi-AZ and storage, buckets and queues by assumed usage, …). Everything else (IAM, security groups, Kubernetes objects that run no
/// pods) costs nothing and is not listed.
/// </summary>
internal static class CostEstimator
{
    /// <summary>The component name of resources that belong to no component.</summary>
    public const string EnvironmentComponent = "(environment)";

    private const decimal BytesPerGib = 1024m * 1024m * 1024m;

    // The types anything here prices: workloads, and what the resource kinds price.
    private static readonly FrozenSet<string> PricedTypes = FrozenSet.Create(StringComparer.Ordinal,
        [KubernetesTypes.Deployment, "kubernetes:apps/v1:StatefulSet", KubernetesTypes.CronJob, .. ResourceKinds.All.SelectMany(k => k.PricedTypes)]);

    /// <summary>Estimates <paramref name="plan"/>'s monthly cost at <paramref name="prices"/>.</summary>
    public static CostEstimate Estimate(ResourcePlan plan, PriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(prices);
        var costs = new List<ResourceCost>();
        var unpriced = new List<string>();
        var workloads = Workloads(plan).ToDictionary(w => w.Resource.Name, StringComparer.Ordinal);
        // Every workload shares the namespace's default requests: read at the first workload, once per estimate.
        (decimal Cpu, decimal Memory)? defaults = null;
        foreach (var resource in PlanIndex.Of(plan).OfTypes(PricedTypes))
        {
            var cost = resource.Type switch
            {
                KubernetesTypes.Deployment or "kubernetes:apps/v1:StatefulSet" => Workload(plan, ref defaults, workloads[resource.Name], MinReplicas(plan, resource), prices.HoursPerMonth, prices),
                KubernetesTypes.CronJob => Workload(plan, ref defaults, workloads[resource.Name], 1, prices.Compute.CronJobRunHoursPerMonth, prices),
                // Managed resources are priced by their kinds' cost models.
                _ => KindCost(plan, resource, prices, unpriced),
            };
            if (cost is var (amount, basis))
            {
                costs.Add(new ResourceCost(resource.Name, resource.Type, resource.Component, Math.Round(amount, 2, MidpointRounding.AwayFromZero), basis));
            }
        }

        var components = costs
            .GroupBy(c => c.Component ?? EnvironmentComponent, StringComparer.Ordinal)
            .Select(g => new ComponentCost(g.Key, g.Sum(c => c.Monthly)))
            .OrderByDescending(c => c.Monthly)
            .ThenBy(c => c.Component, StringComparer.Ordinal);
        return new CostEstimate(
            plan.Environment, prices.Currency, prices.Region, prices.HoursPerMonth,
            [.. costs], [.. components], costs.Sum(c => c.Monthly), [.. unpriced], prices.RetrievedOn);
    }

    // The first kind that prices the resource, in kind order (a loop: a lambda over the resource was a closure and an
    // iterator per resource). Later kinds are not asked, as they may note the resource as unpriced.
    private static (decimal, string)? KindCost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced)
    {
        foreach (var kind in ResourceKinds.All)
        {
            if (kind.Cost(plan, resource, prices, unpriced) is { } cost)
            {
                return cost;
            }
        }

        return null;
    }

    private static (decimal, string) Workload(
        ResourcePlan plan, ref (decimal Cpu, decimal Memory)? known, Workload workload, int pods, decimal hours, PriceTable prices)
    {
        var defaults = known ??= DefaultRequests(plan);
        decimal cpu = 0, memory = 0;
        foreach (var item in PlanReading.Items(workload.PodSpec, "containers"))
        {
            if (item is not PlanValue.Map container)
            {
                continue;
            }

            // Kubernetes takes the limit as the request when only a limit is set, and the namespace's LimitRange
            // default when neither is.
            cpu += Quantity(container, "resources.requests.cpu", "resources.limits.cpu") ?? defaults.Cpu;
            memory += Quantity(container, "resources.requests.memory", "resources.limits.memory") ?? defaults.Memory;
        }

        var gib = memory / BytesPerGib;
        var amount = pods * hours * ((cpu * prices.Compute.VcpuHour) + (gib * prices.Compute.GibHour));
        return (amount, $"{pods} pod(s) x ({Num(cpu)} vCPU, {Num(gib)} GiB requested) x {Num(hours)} h");
    }

    // The paths are constants, not built per container.
    private static decimal? Quantity(PlanValue.Map container, string request, string limit) =>
        Parse(Text(container, request) ?? Text(container, limit));

    private static (decimal Cpu, decimal Memory) DefaultRequests(ResourcePlan plan)
    {
        var item = plan.OfType(KubernetesTypes.LimitRange)
            .SelectMany(l => PlanReading.Items(l.Inputs, "spec.limits"))
            .FirstOrDefault(i => Text(i, "type") == "Container");
        return (Parse(Text(item, "defaultRequest.cpu")) ?? 0, Parse(Text(item, "defaultRequest.memory")) ?? 0);
    }

    // A plan's containers share a handful of quantities, and parsing one is big-integer arithmetic: parsed values are
    // kept, up to a bound.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, decimal> Parsed = new(StringComparer.Ordinal);

    private static decimal? Parse(string? quantity)
    {
        if (quantity is null)
        {
            return null;
        }

        if (Parsed.TryGetValue(quantity, out var kept))
        {
            return kept;
        }

        var value = new ResourceQuantity(quantity).ToDecimal();
        if (Parsed.Count >= 1024)
        {
            Parsed.Clear(); // start over rather than freeze: the values in use now get kept again
        }

        Parsed.TryAdd(quantity, value);
        return value;
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
