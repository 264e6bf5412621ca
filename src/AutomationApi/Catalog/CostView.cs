using System.Collections.Immutable;

namespace Platform.AutomationApi.Catalog;

/// <summary>What the cost view sums by.</summary>
public enum CostGrouping
{
    /// <summary>Owning team.</summary>
    Team,

    /// <summary>The specs' <c>metadata.costCenter</c>.</summary>
    CostCenter,

    /// <summary>Environment.</summary>
    Environment,

    /// <summary>
    /// Service name across environments; cloud resources and the environment's own resources (namespace-wide objects)
    /// are groups of their own kinds, so the groups still add up to the total.
    /// </summary>
    Service,
}

/// <summary>One group of the cost view.</summary>
/// <param name="Key">The team, cost center, environment or component name.</param>
/// <param name="Kind">For <see cref="CostGrouping.Service"/>: <c>service</c>, <c>resource</c> or <c>environment</c>; otherwise the grouping's name.</param>
/// <param name="Monthly">Estimated monthly cost: the exact sum of its parts of the per-environment estimates.</param>
/// <param name="Environments">The environments that contribute to it, by name.</param>
public sealed record CostGroup(string Key, string Kind, decimal Monthly, IReadOnlyList<string> Environments);

/// <summary>One environment's estimate, as <c>GET /v1/environments/{name}</c> shows it.</summary>
/// <param name="Name">The environment.</param>
/// <param name="Team">Owning team.</param>
/// <param name="CostCenter">Cost center.</param>
/// <param name="Monthly">Its estimated monthly total.</param>
public sealed record EnvironmentCost(string Name, string Team, string CostCenter, decimal Monthly);

/// <summary>Estimated monthly costs of every live environment, grouped.</summary>
/// <param name="GroupBy">The grouping.</param>
/// <param name="Currency">The currency of every amount (<see langword="null"/> when nothing is estimated yet).</param>
/// <param name="Total">The sum of the per-environment estimates; the groups add up to exactly this.</param>
/// <param name="Groups">The groups, largest first.</param>
/// <param name="Environments">Every estimated environment, by name.</param>
/// <param name="Unestimated">Live environments without an estimate yet (no successful deployment), by name.</param>
public sealed record CostReport(
    CostGrouping GroupBy,
    string? Currency,
    decimal Total,
    IReadOnlyList<CostGroup> Groups,
    IReadOnlyList<EnvironmentCost> Environments,
    IReadOnlyList<string> Unestimated);

/// <summary>Sums the stored per-environment estimates by a grouping, without rounding (they are already in cents).</summary>
public static class CostView
{
    /// <summary>The kind of the component with the environment's own resources.</summary>
    public const string EnvironmentComponent = "(environment)";

    /// <summary>The report of <paramref name="environments"/> grouped by <paramref name="groupBy"/>.</summary>
    public static CostReport Of(IEnumerable<CatalogEnvironment> environments, CostGrouping groupBy)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var all = environments.ToList();
        var estimated = all.Where(e => e.Cost is not null).ToList();
        var parts = estimated.SelectMany(e => Parts(e, groupBy));
        var groups = parts
            .GroupBy(p => (p.Kind, p.Key))
            .Select(g => new CostGroup(g.Key.Key, g.Key.Kind, g.Sum(p => p.Monthly),
                [.. g.Select(p => p.Environment).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))
            .OrderByDescending(g => g.Monthly)
            .ThenBy(g => g.Kind, StringComparer.Ordinal)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        return new CostReport(
            groupBy,
            estimated.Select(e => e.Cost!.Currency).FirstOrDefault(),
            estimated.Sum(e => e.Cost!.MonthlyTotal),
            groups,
            [.. estimated.Select(e => new EnvironmentCost(e.Name, e.Team, e.CostCenter, e.Cost!.MonthlyTotal))],
            [.. all.Where(e => e.Cost is null).Select(e => e.Name)]);
    }

    private static IEnumerable<(string Kind, string Key, decimal Monthly, string Environment)> Parts(CatalogEnvironment environment, CostGrouping groupBy)
    {
        var cost = environment.Cost!;
        switch (groupBy)
        {
            case CostGrouping.Team:
                return [("team", environment.Team, cost.MonthlyTotal, environment.Name)];
            case CostGrouping.CostCenter:
                return [("costCenter", environment.CostCenter, cost.MonthlyTotal, environment.Name)];
            case CostGrouping.Environment:
                return [("environment", environment.Name, cost.MonthlyTotal, environment.Name)];
            default:
                // Components sum to the environment's total (CostEstimator sums the same rounded resource costs).
                var services = environment.Services.Select(s => s.Name).ToImmutableHashSet(StringComparer.Ordinal);
                return cost.Components.Select(c => (
                    c.Component == EnvironmentComponent ? "environment" : services.Contains(c.Component) ? "service" : "resource",
                    c.Component, c.Monthly, environment.Name));
        }
    }
}
