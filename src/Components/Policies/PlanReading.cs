using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;

namespace Platform.Components.Policies;

/// <summary>
/// Reads what guardrails and cost estimates need from a plan's resource inputs: values at paths, the pods of
/// Kubernetes workloads, their replica floors, and policy documents as JSON. Everything is read from the plan,
/// never from the spec, so hand-made or altered plans are judged by what they would actually deploy.
/// </summary>
internal static class PlanReading
{
    /// <summary>The value at a dotted path (list items by index: <c>rules.0.id</c>), or null.</summary>
    public static PlanValue? Get(PlanValue? value, string path)
    {
        var current = value;
        foreach (var segment in path.Split('.'))
        {
            current = current switch
            {
                PlanValue.Map map => map[segment],
                PlanValue.List list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Items.Length => list.Items[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static string? Text(PlanValue? value, string path) => (Get(value, path) as PlanValue.Text)?.Value;

    public static bool? Bool(PlanValue? value, string path) => (Get(value, path) as PlanValue.Bool)?.Value;

    public static decimal? Number(PlanValue? value, string path) => (Get(value, path) as PlanValue.Number)?.Value;

    public static ImmutableArray<PlanValue> Items(PlanValue? value, string path) => (Get(value, path) as PlanValue.List)?.Items ?? [];

    /// <summary>A map's entries whose values are plain text.</summary>
    public static ImmutableDictionary<string, string> Strings(PlanValue? value, string path) =>
        ((Get(value, path) as PlanValue.Map)?.Entries ?? [])
            .Where(e => e.Value is PlanValue.Text)
            .ToImmutableDictionary(e => e.Key, e => ((PlanValue.Text)e.Value).Value, StringComparer.Ordinal);

    /// <summary>Resources of <paramref name="type"/> whose <paramref name="property"/> refers to <paramref name="target"/>.</summary>
    public static IEnumerable<PlannedResource> Attached(ResourcePlan plan, string type, PlannedResource target, string property) =>
        plan.OfType(type).Where(r => Get(r.Inputs, property) is { } v && v.ReferencedResources().Contains(target.Name));

    /// <summary>Every pod-running Kubernetes resource with its pod spec and pod labels.</summary>
    public static IEnumerable<Workload> Workloads(ResourcePlan plan)
    {
        foreach (var resource in plan.Resources)
        {
            var template = resource.Type switch
            {
                KubernetesTypes.Deployment or "kubernetes:apps/v1:StatefulSet" or "kubernetes:apps/v1:DaemonSet" or "kubernetes:batch/v1:Job" => "spec.template",
                KubernetesTypes.CronJob => "spec.jobTemplate.spec.template",
                "kubernetes:core/v1:Pod" => "",
                _ => null,
            };
            if (template is null)
            {
                continue;
            }

            var pod = template.Length == 0 ? resource.Inputs : Get(resource.Inputs, template);
            var spec = Get(pod, "spec") as PlanValue.Map ?? PlanValue.Map.Empty;
            yield return new Workload(resource, spec, Strings(pod, "metadata.labels"));
        }
    }

    /// <summary>The fewest pods a Deployment runs: its autoscaler's <c>minReplicas</c>, else its <c>replicas</c> (Kubernetes defaults both to 1).</summary>
    public static int MinReplicas(ResourcePlan plan, PlannedResource workload)
    {
        var autoscaler = plan.OfType(KubernetesTypes.HorizontalPodAutoscaler).FirstOrDefault(h => Targets(h, workload));
        var replicas = autoscaler is not null
            ? Number(autoscaler.Inputs, "spec.minReplicas")
            : Number(workload.Inputs, "spec.replicas");
        return (int)(replicas ?? 1);
    }

    /// <summary>Whether a PodDisruptionBudget selects the workload's pods (or belongs to the same component).</summary>
    public static bool HasDisruptionBudget(ResourcePlan plan, Workload workload) =>
        plan.OfType(KubernetesTypes.PodDisruptionBudget).Any(p =>
            Selects(Strings(p.Inputs, "spec.selector.matchLabels"), workload.PodLabels) ||
            (p.Component is not null && p.Component == workload.Resource.Component));

    /// <summary>Whether the workload serves HTTP traffic: a web service component, or a Service selects its pods.</summary>
    public static bool IsWeb(ResourcePlan plan, Workload workload) =>
        plan.Components.Any(c => c.Name == workload.Resource.Component && c.Type == KubernetesTypes.WebServiceComponent) ||
        plan.OfType(KubernetesTypes.Service).Any(s => Selects(Strings(s.Inputs, "spec.selector"), workload.PodLabels));

    /// <summary>
    /// A policy document as JSON: structured values (<see cref="PlanValue.Json"/>), JSON text, or JSON text
    /// assembled around references. References read as <c>${resource.property}</c>, config as <c>${config:key}</c>.
    /// </summary>
    /// <returns>The document, or null when the value is not JSON.</returns>
    public static JsonNode? Document(PlanValue? value)
    {
        switch (value)
        {
            case PlanValue.Json json:
                return ToNode(json.Value);
            case PlanValue.Secret secret:
                return Document(secret.Value);
            case PlanValue.Text or PlanValue.Interpolation:
                try
                {
                    return JsonNode.Parse(Describe(value));
                }
                catch (JsonException)
                {
                    return null;
                }

            default:
                return null;
        }
    }

    /// <summary>A value as text, with references and config as placeholders.</summary>
    public static string Describe(PlanValue value) => value switch
    {
        PlanValue.Text t => t.Value,
        PlanValue.Number n => n.Value.ToString(CultureInfo.InvariantCulture),
        PlanValue.Bool b => b.Value ? "true" : "false",
        PlanValue.Reference r => $"${{{r.Resource}.{r.Property}}}",
        PlanValue.ConfigReference c => $"${{config:{c.Key}}}",
        PlanValue.Interpolation i => i.Parts.Aggregate(new StringBuilder(), (s, p) => s.Append(Describe(p))).ToString(),
        PlanValue.Secret s => Describe(s.Value),
        PlanValue.Json j => ToNode(j.Value)?.ToJsonString() ?? "null",
        _ => string.Empty,
    };

    private static JsonNode? ToNode(PlanValue value) => value switch
    {
        PlanValue.Map map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key, ToNode(e.Value)))),
        PlanValue.List list => new JsonArray([.. list.Items.Select(ToNode)]),
        PlanValue.Number n => JsonValue.Create(n.Value),
        PlanValue.Bool b => JsonValue.Create(b.Value),
        PlanValue.NullValue => null,
        PlanValue.Secret s => ToNode(s.Value),
        _ => JsonValue.Create(Describe(value)),
    };

    private static bool Targets(PlannedResource autoscaler, PlannedResource workload)
    {
        var name = Get(autoscaler.Inputs, "spec.scaleTargetRef.name");
        return name is PlanValue.Reference r
            ? r.Resource == workload.Name
            : name is PlanValue.Text t && t.Value == Text(workload.Inputs, "metadata.name") && Text(autoscaler.Inputs, "spec.scaleTargetRef.kind") == "Deployment";
    }

    private static bool Selects(ImmutableDictionary<string, string> selector, ImmutableDictionary<string, string> labels) =>
        !selector.IsEmpty && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);
}

/// <summary>A resource that runs pods.</summary>
/// <param name="Resource">The Deployment, CronJob or other workload.</param>
/// <param name="PodSpec">Its pod template's <c>spec</c>.</param>
/// <param name="PodLabels">Its pod template's plain-text labels.</param>
internal sealed record Workload(PlannedResource Resource, PlanValue.Map PodSpec, ImmutableDictionary<string, string> PodLabels)
{
    /// <summary>Init and regular containers.</summary>
    public IEnumerable<PlanValue.Map> Containers =>
        PlanReading.Items(PodSpec, "initContainers").Concat(PlanReading.Items(PodSpec, "containers")).OfType<PlanValue.Map>();
}
