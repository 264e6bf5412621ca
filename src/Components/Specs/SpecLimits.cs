using System.Collections.Immutable;

namespace Platform.Components.Specs;

/// <summary>
/// How large one environment may be: checked on the parsed spec before it is validated and compiled, because
/// compiling costs far more than parsing and an environment with thousands of services is a mistake, not a plan.
/// </summary>
/// <param name="MaxServices">Most services one environment may declare.</param>
/// <param name="MaxResources">Most resources (databases, buckets, queues) one environment may declare.</param>
/// <param name="Setting">The name of the setting that raises the limits, quoted in the fix.</param>
public sealed record SpecLimits(int MaxServices, int MaxResources, string Setting = "the platform team's limits")
{
    /// <summary>Every limit <paramref name="spec"/> exceeds, each at its path with the fix.</summary>
    public ImmutableArray<SpecError> Check(EnvironmentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = ImmutableArray.CreateBuilder<SpecError>();
        if (spec.Services.Length > MaxServices)
        {
            errors.Add(new SpecError("spec.services",
                $"{spec.Services.Length} services exceed the limit of {MaxServices} per environment.",
                $"Split the environment into several, or ask the platform team to raise {Setting}."));
        }

        if (spec.Resources.Length > MaxResources)
        {
            errors.Add(new SpecError("spec.resources",
                $"{spec.Resources.Length} resources exceed the limit of {MaxResources} per environment.",
                $"Split the environment into several, or ask the platform team to raise {Setting}."));
        }

        return errors.ToImmutable();
    }
}
