using System.Collections.Immutable;
using Platform.Components.Costs;
using Platform.Components.Planning;

namespace Platform.AutomationApi.Environments;

/// <summary>How two plans differ, resource by resource (by logical name).</summary>
/// <param name="Added">Resources only in the new plan (<c>name (type)</c>).</param>
/// <param name="Removed">Resources only in the old plan.</param>
/// <param name="Changed">Resources in both whose type, inputs or options differ.</param>
public sealed record PlanDiff(ImmutableArray<string> Added, ImmutableArray<string> Removed, ImmutableArray<string> Changed)
{
    /// <summary>Compares <paramref name="before"/> (null for a new environment) with <paramref name="after"/>.</summary>
    public static PlanDiff Between(ResourcePlan? before, ResourcePlan after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var old = (before?.Resources ?? []).ToDictionary(r => r.Name, StringComparer.Ordinal);
        var current = after.Resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
        return new PlanDiff(
            [.. after.Resources.Where(r => !old.ContainsKey(r.Name)).Select(Describe)],
            [.. (before?.Resources ?? []).Where(r => !current.ContainsKey(r.Name)).Select(Describe)],
            [.. after.Resources.Where(r => old.TryGetValue(r.Name, out var o) && !o.Equals(r)).Select(Describe)]);
    }

    private static string Describe(PlannedResource resource) => $"{resource.Name} ({resource.Type})";
}

/// <summary>How the estimated monthly cost changes with a new spec.</summary>
/// <param name="Currency">Currency of the amounts.</param>
/// <param name="Before">Estimated monthly total of the current plan (0 for a new environment).</param>
/// <param name="After">Estimated monthly total of the new plan.</param>
/// <param name="Delta">After minus before.</param>
/// <param name="Label">What the figures are (an estimate, at which prices).</param>
public sealed record CostDelta(string Currency, decimal Before, decimal After, decimal Delta, string Label)
{
    /// <summary>Compares two estimates.</summary>
    public static CostDelta Between(CostEstimate? before, CostEstimate after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var old = before?.MonthlyTotal ?? 0m;
        return new CostDelta(after.Currency, old, after.MonthlyTotal, after.MonthlyTotal - old, after.Label);
    }
}
