using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Platform.Components.Planning;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// Reads the stack config entries a plan declares. A value set on the stack (<c>pulumi config set</c>) wins; otherwise
/// the value the plan computed for this environment (from the target and the spec's secrets), then the entry's default.
/// Secret entries, and any key the stack holds encrypted (set with <c>--secret</c>, even where the plan does not say
/// secret), are read with <see cref="Config.GetSecret"/> and stay secret whichever source supplies them.
/// </summary>
internal sealed class PlanConfig(ResourcePlan plan, Config config, ISet<string> stackSecretKeys)
{
    /// <summary>
    /// The environment variable through which the language host hands a program the stack's secret config keys (a
    /// JSON array of <c>project:key</c>), as the SDK's own <c>Deployment</c> reads it (<c>pulumi/pulumi-dotnet</c>
    /// <c>sdk/Pulumi/Deployment/Deployment_Config.cs</c>, <c>PULUMI_CONFIG_SECRET_KEYS</c>); the SDK keeps its parsed
    /// copy internal.
    /// </summary>
    public const string SecretKeysVariable = "PULUMI_CONFIG_SECRET_KEYS";

    /// <summary>Reads the plan's config for the current stack of <paramref name="project"/>.</summary>
    public static PlanConfig ForStack(ResourcePlan plan, Config config, string project) =>
        new(plan, config, StackSecretKeys(project));

    /// <summary>The keys (without the project prefix) of <paramref name="project"/> whose stack values are secret.</summary>
    public static ISet<string> StackSecretKeys(string project)
    {
        var text = System.Environment.GetEnvironmentVariable(SecretKeysVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var prefix = $"{project}:";
        var keys = JsonSerializer.Deserialize<string[]>(text) ?? [];
        return keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..])
            .Select(k => k.StartsWith("config:", StringComparison.Ordinal) ? k["config:".Length..] : k)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The value of <paramref name="key"/>, typed as the entry declares.</summary>
    /// <exception cref="InvalidOperationException">The plan declares no such entry, or no source has a value for it.</exception>
    public Output<object?> Get(string key)
    {
        var entry = plan.Config.FirstOrDefault(c => c.Key == key)
            ?? throw new InvalidOperationException($"The plan reads config '{key}' but does not declare it.");
        plan.StackConfig.TryGetValue(key, out var planned);
        var secret = entry.Secret || planned?.Secret == true || stackSecretKeys.Contains(key);
        if (secret)
        {
            if (config.GetSecret(key) is { } fromStack)
            {
                return fromStack.Apply(text => Parse(entry, text));
            }

            return Output.CreateSecret(Parse(entry, planned?.Value ?? entry.Default ?? throw Missing(entry, secret)));
        }

        return Output.Create(Parse(entry, config.Get(key) ?? planned?.Value ?? entry.Default ?? throw Missing(entry, secret)));
    }

    /// <summary>A config value as the SDK takes it, by the entry's Pulumi YAML type.</summary>
    /// <exception cref="FormatException">The text is not a value of the entry's type.</exception>
    public static object? Parse(PlanConfigEntry entry, string text)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(text);
        return entry.Type switch
        {
            "integer" => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new FormatException($"Config '{entry.Key}' must be an integer."),
            "boolean" => bool.TryParse(text, out var flag) ? flag : throw new FormatException($"Config '{entry.Key}' must be true or false."),
            "List<String>" => ParseList(entry, text),
            _ => text,
        };
    }

    private static ImmutableArray<object?> ParseList(PlanConfigEntry entry, string text)
    {
        try
        {
            return [.. (JsonSerializer.Deserialize<string[]>(text) ?? []).Select(s => (object?)s)];
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Config '{entry.Key}' must be a JSON list of strings, e.g. [\"a\",\"b\"].", ex);
        }
    }

    private static InvalidOperationException Missing(PlanConfigEntry entry, bool secret) =>
        new($"Stack config '{entry.Key}' has no value ({entry.Description}). Set it with `pulumi config set {(secret ? "--secret " : "")}{entry.Key} <value>`.");
}
