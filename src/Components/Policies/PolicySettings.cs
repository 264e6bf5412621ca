using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.Planning;
using Platform.Components.Settings;
using Platform.Components.Specs;

namespace Platform.Components.Policies;

/// <summary>
/// The platform team's switches for advisory guardrails, per tier. Mandatory rules cannot be switched off: naming
/// one is an error when settings are created or loaded. Specs have no say in either. The settings file:
/// <code>
/// disabledAdvisoryRules:
///   dev: [PLT009-bucket-versioning]
///   staging: []
///   prod: []
/// </code>
/// </summary>
public sealed class PolicySettings
{
    private readonly ImmutableDictionary<Tier, ImmutableHashSet<string>> _disabled;

    private PolicySettings(ImmutableDictionary<Tier, ImmutableHashSet<string>> disabled) => _disabled = disabled;

    /// <summary>
    /// The defaults: every rule on in every tier, except bucket versioning in dev, where buckets deliberately keep no
    /// versions (their objects expire).
    /// </summary>
    public static PolicySettings Default { get; } = Create(new Dictionary<Tier, IEnumerable<string>>
    {
        [Tier.Dev] = [GuardrailRules.BucketVersioning.Id],
    });

    /// <summary>Every rule on in every tier.</summary>
    public static PolicySettings AllEnabled { get; } = Create(new Dictionary<Tier, IEnumerable<string>>());

    /// <summary>Ids of the advisory rules switched off in <paramref name="tier"/>.</summary>
    public ImmutableSortedSet<string> DisabledIn(Tier tier) =>
        _disabled.TryGetValue(tier, out var ids) ? ids.ToImmutableSortedSet(StringComparer.Ordinal) : [];

    /// <summary>Whether <paramref name="rule"/> runs on plans of <paramref name="tier"/>. Mandatory rules always do.</summary>
    internal bool IsEnabled(PolicyRule rule, Tier tier)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Severity == PolicySeverity.Mandatory || !DisabledIn(tier).Contains(rule.Id);
    }

    /// <summary>Settings that switch off the given advisory rules per tier.</summary>
    /// <exception cref="ArgumentException">An id names no rule, or names a mandatory rule.</exception>
    public static PolicySettings Create(IReadOnlyDictionary<Tier, IEnumerable<string>> disabledAdvisoryRules)
    {
        ArgumentNullException.ThrowIfNull(disabledAdvisoryRules);
        var result = ImmutableDictionary.CreateBuilder<Tier, ImmutableHashSet<string>>();
        foreach (var (tier, ids) in disabledAdvisoryRules)
        {
            var set = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                var rule = GuardrailRules.All.FirstOrDefault(r => r.Id == id)
                    ?? throw new ArgumentException($"Tier {Ownership.TierName(tier)}: '{id}' is not a guardrail. Known advisory rules: {AdvisoryIds()}.", nameof(disabledAdvisoryRules));
                if (rule.Severity == PolicySeverity.Mandatory)
                {
                    throw new ArgumentException($"Tier {Ownership.TierName(tier)}: '{id}' is mandatory and cannot be switched off. Only advisory rules can: {AdvisoryIds()}.", nameof(disabledAdvisoryRules));
                }

                set.Add(id);
            }

            result[tier] = set.ToImmutable();
        }

        return new PolicySettings(result.ToImmutable());
    }

    /// <summary>Reads a settings file; a missing file (or no path) yields <see cref="Default"/>.</summary>
    /// <exception cref="FormatException">The file is malformed or switches off an unknown or mandatory rule.</exception>
    public static PolicySettings Load(string? path) =>
        path is null || !File.Exists(path) ? Default : Parse(File.ReadAllText(path));

    /// <summary>Parses settings from YAML or JSON text. What the text lists replaces the defaults.</summary>
    /// <exception cref="FormatException">
    /// The text is malformed or switches off an unknown or mandatory rule: a <see cref="SettingsFormatException"/>
    /// listing every problem with its path (<c>disabledAdvisoryRules.&lt;tier&gt;[i]</c>), a "did you mean" and the fix.
    /// </exception>
    public static PolicySettings Parse(string text)
    {
        var root = SettingsReader.ReadDocument(text, "a policy settings file");
        if (root is null)
        {
            return AllEnabled;
        }

        const string Top = "disabledAdvisoryRules";
        var reader = new SettingsReader();
        if (root is not JsonObject document)
        {
            reader.Error("(document)", "A policy settings file is a mapping.", $"Write one top-level key, '{Top}', mapping tiers (dev, staging, prod) to lists of advisory rule ids.");
            reader.ThrowIfAny();
            return AllEnabled;
        }

        reader.CheckFields(document, "(document)", [Top]);
        var tiers = reader.Object(document, "(document)", Top);
        if (tiers is null && !document.ContainsKey(Top))
        {
            reader.Error(Top, $"'{Top}' is missing: a policy settings file has one top-level key, '{Top}'.", $"Add '{Top}:' mapping tiers (dev, staging, prod) to lists of advisory rule ids.");
        }

        var tierNames = Enum.GetValues<Tier>().ToDictionary(Ownership.TierName, t => t, StringComparer.Ordinal);
        var allIds = GuardrailRules.All.Select(r => r.Id).ToList();
        var disabled = new Dictionary<Tier, IEnumerable<string>>();
        foreach (var (name, node) in tiers ?? [])
        {
            var path = $"{Top}.{name}";
            if (!tierNames.TryGetValue(name, out var tier))
            {
                var suggestion = Spelling.Suggest(name, tierNames.Keys);
                reader.Error(path, $"'{name}' is an unknown tier.",
                    (suggestion is null ? "" : $"Did you mean '{suggestion}'? ") + $"Use dev, staging or prod.");
                continue;
            }

            if (node is not null and not JsonArray)
            {
                reader.Error(path, "Expected a list of rule ids.", $"Write e.g. {name}: [{GuardrailRules.BucketVersioning.Id}].");
                continue;
            }

            var ids = new List<string>();
            var items = node as JsonArray ?? [];
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not JsonValue v || !v.TryGetValue(out string? id))
                {
                    reader.Error($"{path}[{i}]", "Every entry is a rule id (text).", $"Write a rule id, one of: {AdvisoryIds()}.");
                    continue;
                }

                var rule = GuardrailRules.All.FirstOrDefault(r => r.Id == id);
                if (rule is null)
                {
                    var suggestion = Spelling.Suggest(id, allIds);
                    reader.Error($"{path}[{i}]", $"'{id}' is not a guardrail.",
                        (suggestion is null ? "" : $"Did you mean '{suggestion}'? ") + $"Known advisory rules: {AdvisoryIds()}.");
                }
                else if (rule.Severity == PolicySeverity.Mandatory)
                {
                    reader.Error($"{path}[{i}]", $"'{id}' is mandatory and cannot be switched off.", $"Remove it; only advisory rules can be: {AdvisoryIds()}.");
                }
                else
                {
                    ids.Add(id);
                }
            }

            disabled[tier] = ids;
        }

        reader.ThrowIfAny();
        return Create(disabled);
    }

    private static string AdvisoryIds() =>
        string.Join(", ", GuardrailRules.All.Where(r => r.Severity == PolicySeverity.Advisory).Select(r => r.Id));
}
