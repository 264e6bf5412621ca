using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Planning;

/// <summary>The ownership and cost labels every resource carries.</summary>
public static class Ownership
{
    /// <summary>The value of <c>managed-by</c> on everything Platform creates.</summary>
    public const string ManagedBy = "platform";

    /// <summary>Kubernetes labels: <c>platform.io/*</c> ownership plus <c>app.kubernetes.io/managed-by</c>.</summary>
    public static ImmutableSortedDictionary<string, string> KubernetesLabels(EnvironmentSpec spec) =>
        spec.Metadata.Labels.SetItems(
        [
            KeyValuePair.Create("app.kubernetes.io/managed-by", ManagedBy),
            KeyValuePair.Create("platform.io/environment", spec.Name),
            KeyValuePair.Create("platform.io/team", spec.Metadata.Team),
            KeyValuePair.Create("platform.io/tier", TierName(spec.Tier)),
            KeyValuePair.Create("platform.io/cost-center", spec.Metadata.CostCenter),
        ]);

    /// <summary>AWS tags: team, environment, tier, cost-center, managed-by (plus the spec's extra labels).</summary>
    public static ImmutableSortedDictionary<string, string> AwsTags(EnvironmentSpec spec) =>
        spec.Metadata.Labels.SetItems(
        [
            KeyValuePair.Create("team", spec.Metadata.Team),
            KeyValuePair.Create("environment", spec.Name),
            KeyValuePair.Create("tier", TierName(spec.Tier)),
            KeyValuePair.Create("cost-center", spec.Metadata.CostCenter),
            KeyValuePair.Create("managed-by", ManagedBy),
        ]);

    /// <summary>The tier as written in specs and labels.</summary>
    public static string TierName(Tier tier) => tier switch
    {
        Tier.Dev => "dev",
        Tier.Staging => "staging",
        Tier.Prod => "prod",
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };
}
