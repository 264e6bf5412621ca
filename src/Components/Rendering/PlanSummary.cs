using System.Collections.Immutable;
using Platform.Components.Costs;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Rendering;

/// <summary>What a plan contains, in brief: for <c>platform plan</c> and environment responses of the HTTP API.</summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Tier">The environment's tier.</param>
/// <param name="Target">The deployment target.</param>
/// <param name="Resources">Number of resources, providers included.</param>
/// <param name="Providers">Number of explicit provider resources.</param>
/// <param name="ByType">Resource count per type token, sorted by token.</param>
/// <param name="Components">Each component with its resource counts, in plan order.</param>
/// <param name="Outputs">Output names, in plan order.</param>
/// <param name="SecretConfigKeys">Config keys whose values are secret (set with <c>pulumi config set --secret</c>), sorted.</param>
/// <param name="EstimatedMonthlyCost">The environment's estimated monthly cost, when an estimate was given.</param>
/// <param name="Currency">The estimate's currency, when an estimate was given.</param>
public sealed record PlanSummary(
    string Environment,
    Tier Tier,
    string Target,
    int Resources,
    int Providers,
    ImmutableSortedDictionary<string, int> ByType,
    ImmutableArray<ComponentSummary> Components,
    ImmutableArray<string> Outputs,
    ImmutableArray<string> SecretConfigKeys,
    decimal? EstimatedMonthlyCost = null,
    string? Currency = null)
{
    /// <summary>Summarises <paramref name="plan"/>, with its estimated cost per component and in total when <paramref name="cost"/> is given.</summary>
    public static PlanSummary Of(ResourcePlan plan, CostEstimate? cost = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new PlanSummary(
            plan.Environment,
            plan.Tier,
            plan.Target,
            plan.Resources.Length,
            plan.Resources.Count(r => r.IsProvider),
            CountByType(plan.Resources),
            [.. plan.Components.Select(c =>
            {
                var resources = plan.ResourcesOf(c.Name).ToList();
                return new ComponentSummary(c.Name, c.Type, resources.Count, CountByType(resources),
                    cost is null ? null : cost.Components.Where(k => k.Component == c.Name).Sum(k => k.Monthly));
            })],
            [.. plan.Outputs.Select(o => o.Name)],
            [.. plan.Config.Where(c => c.Secret).Select(c => c.Key)
                .Concat(plan.StackConfig.Where(e => e.Value.Secret).Select(e => e.Key))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            cost?.MonthlyTotal,
            cost?.Currency);
    }

    private static ImmutableSortedDictionary<string, int> CountByType(IEnumerable<PlannedResource> resources) =>
        resources.GroupBy(r => r.Type, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <inheritdoc />
    public bool Equals(PlanSummary? other) =>
        other is not null && Environment == other.Environment && Tier == other.Tier && Target == other.Target &&
        Resources == other.Resources && Providers == other.Providers && ByType.SequenceEqual(other.ByType) &&
        Components.SequenceEqual(other.Components) && Outputs.SequenceEqual(other.Outputs) &&
        SecretConfigKeys.SequenceEqual(other.SecretConfigKeys) && EstimatedMonthlyCost == other.EstimatedMonthlyCost &&
        Currency == other.Currency;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Environment, Tier, Target, Resources);
}

/// <summary>One component of a plan, in brief.</summary>
/// <param name="Name">The component's name (a service, a cloud resource, or the environment itself).</param>
/// <param name="Type">Its component type token, e.g. <c>platform:kubernetes:WebService</c>.</param>
/// <param name="Resources">Number of resources in it.</param>
/// <param name="ByType">Resource count per type token, sorted by token.</param>
/// <param name="EstimatedMonthlyCost">Its estimated monthly cost, when an estimate was given.</param>
public sealed record ComponentSummary(string Name, string Type, int Resources, ImmutableSortedDictionary<string, int> ByType, decimal? EstimatedMonthlyCost = null)
{
    /// <inheritdoc />
    public bool Equals(ComponentSummary? other) =>
        other is not null && Name == other.Name && Type == other.Type && Resources == other.Resources && ByType.SequenceEqual(other.ByType) &&
        EstimatedMonthlyCost == other.EstimatedMonthlyCost;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, Resources);
}
