using System.Collections.Immutable;
using Platform.Components.Planning;

namespace Platform.Components.Policies;

/// <summary>
/// A guardrail: an id, a severity and a pure check over a resource plan that names each offending resource and the fix.
/// The rules Platform ships are in <see cref="GuardrailRules"/>.
/// </summary>
/// <param name="Id">Stable id, <c>PLTnnn-short-name</c>; settings and reports refer to rules by it.</param>
/// <param name="Severity">Mandatory rules block; advisory ones warn.</param>
/// <param name="Description">What the rule demands, in one sentence.</param>
/// <param name="Check">The check: (resource logical name, message) for every violation in a plan.</param>
internal sealed record PolicyRule(
    string Id,
    PolicySeverity Severity,
    string Description,
    Func<ResourcePlan, IEnumerable<(string Resource, string Message)>> Check)
{
    /// <summary>Runs the check on <paramref name="plan"/>.</summary>
    public ImmutableArray<PolicyViolation> Evaluate(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return [.. Check(plan).Select(v => new PolicyViolation(Id, Severity, v.Resource, v.Message))];
    }
}
