using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Costs;
using Platform.Components.Planning;
using Platform.Components.Policies;

namespace Platform.Components.Rendering;

/// <summary>
/// The stable JSON form of a resource plan, for <c>platform plan --json</c> and the HTTP API. Literals are plain
/// JSON; everything else is a one-key object:
/// <list type="bullet">
/// <item><c>{"$ref": "resource.property"}</c>: another resource's output;</item>
/// <item><c>{"$config": "key"}</c>: a stack config value;</item>
/// <item><c>{"$secret": "[secret]"}</c>: a secret; its value is never written, whatever it is;</item>
/// <item><c>{"$concat": [parts]}</c>: a string interpolation;</item>
/// <item><c>{"$json": value}</c>: the JSON text of a value.</item>
/// </list>
/// Keys of literal maps that start with <c>$</c> are written with the <c>$</c> doubled (<c>$$ref</c>), so a map can
/// never be mistaken for one of these forms. Secret stack config values read <c>[secret]</c>. Property order is fixed and
/// collections keep plan order, so the same plan always gives the same text.
/// </summary>
public static class PlanJson
{
    /// <summary>What a secret reads as.</summary>
    public const string Masked = "[secret]";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Type tokens and references hold characters ('<', '>', '&', '+') the default encoder would escape needlessly.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The plan as indented JSON text (LF line endings, no final newline).</summary>
    public static string Serialize(ResourcePlan plan) => ToJson(plan).ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>The plan as a JSON tree.</summary>
    public static JsonObject ToJson(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new JsonObject
        {
            ["environment"] = plan.Environment,
            ["tier"] = plan.Tier.ToString().ToLowerInvariant(),
            ["target"] = plan.Target,
            ["project"] = PulumiYamlRenderer.ProjectName(plan.Environment),
            ["components"] = new JsonArray([.. plan.Components.Select(c => new JsonObject { ["name"] = c.Name, ["type"] = c.Type })]),
            ["resources"] = new JsonArray([.. plan.Resources.Select(Resource)]),
            ["config"] = new JsonArray([.. plan.Config.Select(c => new JsonObject
            {
                ["key"] = c.Key,
                ["type"] = c.Type,
                ["secret"] = c.Secret,
                ["description"] = c.Description,
                ["default"] = c.Secret && c.Default is not null ? Masked : c.Default,
            })]),
            ["stackConfig"] = new JsonObject(plan.StackConfig.Select(e =>
                KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value.Secret ? Masked : e.Value.Value)))),
            ["outputs"] = new JsonArray([.. plan.Outputs.Select(o => new JsonObject
            {
                ["name"] = o.Name,
                ["component"] = o.Component,
                ["value"] = Value(o.Value),
            })]),
        };
    }

    /// <summary>A plan summary, in the same style (camelCase, lowercase tier).</summary>
    public static JsonObject Summary(PlanSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new JsonObject
        {
            ["environment"] = summary.Environment,
            ["tier"] = summary.Tier.ToString().ToLowerInvariant(),
            ["target"] = summary.Target,
            ["resources"] = summary.Resources,
            ["providers"] = summary.Providers,
            ["byType"] = Counts(summary.ByType),
            ["components"] = new JsonArray([.. summary.Components.Select(c => new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["resources"] = c.Resources,
                ["byType"] = Counts(c.ByType),
                ["estimatedMonthlyCost"] = c.EstimatedMonthlyCost,
            })]),
            ["outputs"] = new JsonArray([.. summary.Outputs.Select(o => (JsonNode?)o)]),
            ["secretConfigKeys"] = new JsonArray([.. summary.SecretConfigKeys.Select(k => (JsonNode?)k)]),
            ["estimatedMonthlyCost"] = summary.EstimatedMonthlyCost,
            ["currency"] = summary.Currency,
        };
    }

    /// <summary>A guardrail report: verdict, then every violation.</summary>
    public static JsonObject Policy(PolicyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["blocked"] = report.IsBlocked,
            ["violations"] = new JsonArray([.. report.Violations.Select(v => new JsonObject
            {
                ["rule"] = v.RuleId,
                ["severity"] = v.Severity.ToString().ToLowerInvariant(),
                ["resource"] = v.Resource,
                ["message"] = v.Message,
            })]),
            ["evaluatedRules"] = new JsonArray([.. report.EvaluatedRules.Select(r => (JsonNode?)r)]),
            ["disabledRules"] = new JsonArray([.. report.DisabledRules.Select(r => (JsonNode?)r)]),
        };
    }

    /// <summary>A cost estimate, labelled as an estimate.</summary>
    public static JsonObject Cost(CostEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return new JsonObject
        {
            ["label"] = estimate.Label,
            ["currency"] = estimate.Currency,
            ["region"] = estimate.Region,
            ["monthlyTotal"] = estimate.MonthlyTotal,
            ["components"] = new JsonArray([.. estimate.Components.Select(c => new JsonObject { ["component"] = c.Component, ["monthly"] = c.Monthly })]),
            ["resources"] = new JsonArray([.. estimate.Resources.Select(r => new JsonObject
            {
                ["resource"] = r.Resource,
                ["type"] = r.Type,
                ["component"] = r.Component,
                ["monthly"] = r.Monthly,
                ["basis"] = r.Basis,
            })]),
            ["unpriced"] = new JsonArray([.. estimate.Unpriced.Select(u => (JsonNode?)u)]),
            ["pricesRetrievedOn"] = estimate.PricesRetrievedOn,
        };
    }

    private static JsonObject Counts(IEnumerable<KeyValuePair<string, int>> counts) =>
        new(counts.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value)));

    /// <summary>One resource.</summary>
    public static JsonObject Resource(PlannedResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var options = resource.Options;
        return new JsonObject
        {
            ["name"] = resource.Name,
            ["type"] = resource.Type,
            ["component"] = resource.Component,
            ["inputs"] = Value(resource.Inputs),
            ["options"] = new JsonObject
            {
                ["provider"] = options.Provider,
                ["dependsOn"] = new JsonArray([.. options.DependsOn.Select(d => (JsonNode?)d)]),
                ["protect"] = options.Protect,
                ["version"] = options.Version,
                ["additionalSecretOutputs"] = new JsonArray([.. options.AdditionalSecretOutputs.Select(d => (JsonNode?)d)]),
                ["deleteBeforeReplace"] = options.DeleteBeforeReplace,
                ["ignoreChanges"] = new JsonArray([.. options.IgnoreChanges.Select(d => (JsonNode?)d)]),
            },
        };
    }

    /// <summary>One plan value; secrets are masked.</summary>
    public static JsonNode? Value(PlanValue value) => value switch
    {
        null or PlanValue.NullValue => null,
        PlanValue.Text text => text.Value,
        PlanValue.Number number => JsonValue.Create(number.Value),
        PlanValue.Bool flag => flag.Value,
        PlanValue.List list => new JsonArray([.. list.Items.Select(Value)]),
        PlanValue.Map map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(EscapeKey(e.Key), Value(e.Value)))),
        PlanValue.Reference reference => Tagged("$ref", reference.Property.Length == 0
            ? reference.Resource
            : reference.Property.StartsWith('[') ? reference.Resource + reference.Property : $"{reference.Resource}.{reference.Property}"),
        PlanValue.ConfigReference config => Tagged("$config", config.Key),
        PlanValue.Secret => Tagged("$secret", Masked),
        PlanValue.Interpolation interpolation => Tagged("$concat", new JsonArray([.. interpolation.Parts.Select(Value)])),
        PlanValue.Json json => Tagged("$json", Value(json.Value)),
        _ => throw new ArgumentException($"Unknown plan value {value.GetType().Name}.", nameof(value)),
    };

    private static JsonObject Tagged(string tag, JsonNode? value) => new() { [tag] = value };

    private static string EscapeKey(string key) => key.StartsWith('$') ? "$" + key : key;
}
