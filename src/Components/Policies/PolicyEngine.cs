using Platform.Components.Planning;

namespace Platform.Components.Policies;

/// <summary>
/// Runs the guardrails on a plan, the way policy-as-code packs run on a preview: every enabled rule, every
/// resource. A report with a mandatory violation is blocked: the plan must not be rendered or applied.
/// </summary>
internal static class PolicyEngine
{
    /// <summary>Evaluates <see cref="GuardrailRules.All"/> on <paramref name="plan"/>.</summary>
    /// <param name="plan">The compiled plan.</param>
    /// <param name="settings">Per-tier switches for advisory rules; <see cref="PolicySettings.Default"/> when null.</param>
    public static PolicyReport Evaluate(ResourcePlan plan, PolicySettings? settings = null) =>
        Evaluate(plan, GuardrailRules.All, settings);

    /// <summary>Evaluates the given rules on <paramref name="plan"/>.</summary>
    /// <param name="plan">The compiled plan.</param>
    /// <param name="rules">The rules to run.</param>
    /// <param name="settings">Per-tier switches for advisory rules; <see cref="PolicySettings.Default"/> when null.</param>
    public static PolicyReport Evaluate(ResourcePlan plan, IEnumerable<PolicyRule> rules, PolicySettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(rules);
        settings ??= PolicySettings.Default;
        var all = rules.ToList();
        var enabled = all.Where(r => settings.IsEnabled(r, plan.Tier)).ToList();
        var violations = enabled.SelectMany(r => r.Evaluate(plan))
            .OrderByDescending(v => v.Severity)
            .ThenBy(v => v.RuleId, StringComparer.Ordinal)
            .ThenBy(v => v.Resource, StringComparer.Ordinal);
        return new PolicyReport(
            plan.Environment,
            plan.Tier,
            [.. violations],
            [.. enabled.Select(r => r.Id)],
            [.. all.Except(enabled).Select(r => r.Id)]);
    }
}
