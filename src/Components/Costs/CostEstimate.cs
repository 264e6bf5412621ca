using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Platform.Components.Costs;

/// <summary>
/// An ESTIMATED monthly cost of a plan: per resource, per component (service or cloud resource) and for the whole
/// environment, at the price table's on-demand prices. Not a quote: usage-based charges are assumptions.
/// </summary>
/// <param name="Environment">The plan's environment.</param>
/// <param name="Currency">Currency of every amount.</param>
/// <param name="Region">Region the prices are for.</param>
/// <param name="HoursPerMonth">Hours in the estimated month.</param>
/// <param name="Resources">Resources that cost something, in plan order, each rounded to cents.</param>
/// <param name="Components">Sums per component, largest first.</param>
/// <param name="MonthlyTotal">The environment's total (the sum of the rounded resource costs).</param>
/// <param name="Unpriced">Resources the table has no price for (e.g. an unknown instance class), counted as zero.</param>
/// <param name="PricesRetrievedOn">When the price table's figures were collected.</param>
public sealed record CostEstimate(
    string Environment,
    string Currency,
    string Region,
    decimal HoursPerMonth,
    ImmutableArray<ResourceCost> Resources,
    ImmutableArray<ComponentCost> Components,
    decimal MonthlyTotal,
    ImmutableArray<string> Unpriced,
    string PricesRetrievedOn)
{
    /// <summary>The label every display of an estimate carries.</summary>
    public string Label =>
        $"Estimated monthly cost ({HoursPerMonth.ToString(CultureInfo.InvariantCulture)} h, on-demand {Region} prices retrieved {PricesRetrievedOn}; an estimate, not a quote)";

    /// <summary>The label, one line per component and resource, and the total.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().AppendLine(Label);
        foreach (var component in Components)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {component.Component,-28} {Money(component.Monthly)}");
            foreach (var resource in Resources.Where(r => (r.Component ?? CostEstimator.EnvironmentComponent) == component.Component))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {resource.Resource,-26} {Money(resource.Monthly)}  {resource.Basis}");
            }
        }

        foreach (var name in Unpriced)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  no price for {name}; counted as 0");
        }

        return text.Append(CultureInfo.InvariantCulture, $"  {"Environment total",-28} {Money(MonthlyTotal)}").ToString();
    }

    private string Money(decimal amount) => $"{amount.ToString("N2", CultureInfo.InvariantCulture),10} {Currency}";
}

/// <summary>One resource's estimated monthly cost.</summary>
/// <param name="Resource">Logical name.</param>
/// <param name="Type">Type token.</param>
/// <param name="Component">The component (service or cloud resource) it belongs to.</param>
/// <param name="Monthly">Estimated monthly cost, rounded to cents.</param>
/// <param name="Basis">How it was computed, e.g. <c>2 pods x (0.25 vCPU, 0.5 GiB) x 730 h</c>.</param>
public sealed record ResourceCost(string Resource, string Type, string? Component, decimal Monthly, string Basis);

/// <summary>A component's estimated monthly cost.</summary>
/// <param name="Component">The service's or cloud resource's name.</param>
/// <param name="Monthly">The sum of its resources' rounded costs.</param>
public sealed record ComponentCost(string Component, decimal Monthly);
