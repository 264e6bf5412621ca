using System.Globalization;
using Platform.Components.Resources;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Tiers;

/// <summary>The README's defaults table is generated from <see cref="TierProfile"/> and the resource kinds' tier settings here, so the front door stays true.</summary>
public sealed class ReadmeTierTableTests
{
    [Fact]
    public void The_readme_table_matches_the_tier_profiles()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        const string start = "<!-- tier-table:start -->\n", end = "<!-- tier-table:end -->";
        var from = readme.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var table = readme[from..readme.IndexOf(end, from, StringComparison.Ordinal)];

        Assert.Equal(Expected(), table);
    }

    private static string Expected()
    {
        static string Ttl(TimeSpan? t) => t is { } v ? SpecParser.FormatDuration(v) : "never";
        static string YesNo(bool b) => b ? "yes" : "no";
        static string N(decimal d) => d.ToString(CultureInfo.InvariantCulture);
        var rows = new (string Name, Func<TierProfile, string> Value)[]
        {
            ("default replicas (min..max)", p => $"{p.DefaultReplicas.Min}..{p.DefaultReplicas.Max}"),
            ("replicas allowed (min..max)", p => $"{p.MinReplicasAllowed}..{p.MaxReplicasAllowed}"),
            ("default CPU / memory request", p => $"{p.DefaultCpuRequest} / {p.DefaultMemoryRequest}"),
            ("largest CPU / memory request", p => $"{p.MaxCpuRequest} / {p.MaxMemoryRequest}"),
            ("CPU / memory limit (× request)", p => $"{N(p.CpuLimitFactor)} / {N(p.MemoryLimitFactor)}"),
            ("autoscaler CPU target", p => $"{p.TargetCpuUtilization}%"),
            ("PodDisruptionBudget", p => YesNo(p.DisruptionBudget)),
            ("spread across zones", p => YesNo(p.ZoneSpread)),
            ("rolling update maxSurge / maxUnavailable", p => $"{p.RollingMaxSurge} / {p.RollingMaxUnavailable}"),
            ("namespace quota CPU / memory / pods", p => $"{p.QuotaCpu} / {p.QuotaMemory} / {p.QuotaPods}"),
            ("log retention (days)", p => N(p.LogRetentionDays)),
            ("default TTL", p => Ttl(p.DefaultTtl)),
            ("maximum TTL", p => Ttl(p.MaxTtl)),
        };
        var lines = new List<string> { "| setting | dev | staging | prod |", "| --- | --- | --- | --- |" };
        lines.AddRange(rows.Select(r => $"| {r.Name} | {string.Join(" | ", TierProfile.All.Select(r.Value))} |"));
        // Then each resource kind's own settings, in registry order.
        lines.AddRange(ResourceKinds.All.SelectMany(k => k.TierSettings).Select(t => $"| {t.Name} | {t.Dev} | {t.Staging} | {t.Prod} |"));
        return string.Join("\n", lines) + "\n";
    }
}
