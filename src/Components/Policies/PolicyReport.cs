using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Policies;

/// <summary>The result of running the guardrails on a plan.</summary>
/// <param name="Environment">The plan's environment.</param>
/// <param name="Tier">The plan's tier (settings switch advisory rules per tier).</param>
/// <param name="Violations">Every violation, mandatory ones first, then by rule and resource.</param>
/// <param name="EvaluatedRules">Ids of the rules that ran.</param>
/// <param name="DisabledRules">Ids of the advisory rules the settings switched off for this tier.</param>
public sealed record PolicyReport(
    string Environment,
    Tier Tier,
    ImmutableArray<PolicyViolation> Violations,
    ImmutableArray<string> EvaluatedRules,
    ImmutableArray<string> DisabledRules)
{
    /// <summary>Whether any mandatory rule failed: the plan must not be rendered or applied.</summary>
    public bool IsBlocked => Violations.Any(v => v.Severity == PolicySeverity.Mandatory);

    /// <summary>Violations that block.</summary>
    public ImmutableArray<PolicyViolation> Mandatory => [.. Violations.Where(v => v.Severity == PolicySeverity.Mandatory)];

    /// <summary>Violations that only warn.</summary>
    public ImmutableArray<PolicyViolation> Advisory => [.. Violations.Where(v => v.Severity == PolicySeverity.Advisory)];

    /// <summary>One line per violation and a closing verdict.</summary>
    public override string ToString()
    {
        var lines = Violations.Select(v => v.ToString()).ToList();
        lines.Add(IsBlocked
            ? $"Blocked: {Mandatory.Length} mandatory and {Advisory.Length} advisory violation(s) in {Environment}."
            : $"Passed: {EvaluatedRules.Length} guardrail(s), {Advisory.Length} advisory warning(s) in {Environment}.");
        return string.Join(System.Environment.NewLine, lines);
    }
}
