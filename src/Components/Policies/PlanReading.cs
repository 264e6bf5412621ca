using System.Buffers;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
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
        // Segments are read in place (no split array, no substrings): guardrails and costs read paths of every resource.
        var current = value;
        var rest = path.AsSpan();
        while (current is not null)
        {
            var dot = rest.IndexOf('.');
            var segment = dot < 0 ? rest : rest[..dot];
            current = current switch
            {
                PlanValue.Map map => map.Find(segment),
                PlanValue.List list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Items.Length => list.Items[i],
                _ => null,
            };
            if (dot < 0)
            {
                return current;
            }

            rest = rest[(dot + 1)..];
        }

        return null;
    }

    public static string? Text(PlanValue? value, string path) => (Get(value, path) as PlanValue.Text)?.Value;

    public static bool? Bool(PlanValue? value, string path) => (Get(value, path) as PlanValue.Bool)?.Value;

    public static decimal? Number(PlanValue? value, string path) => (Get(value, path) as PlanValue.Number)?.Value;

    public static ImmutableArray<PlanValue> Items(PlanValue? value, string path) => (Get(value, path) as PlanValue.List)?.Items ?? [];

    /// <summary>A map's entries whose values are plain text.</summary>
    public static IReadOnlyDictionary<string, string> Strings(PlanValue? value, string path) =>
        Get(value, path) is PlanValue.Map { Entries.IsEmpty: false } map ? new TextEntries(map) : NoStrings;

    private static readonly IReadOnlyDictionary<string, string> NoStrings = new Dictionary<string, string>();

    /// <summary>
    /// A map's plain-text entries, read in place: labels and selectors are a handful of entries, found by a scan as
    /// fast as by a hash, and a dictionary copied per workload and per selector was half of what reading a 5,000-service
    /// plan's workloads allocated (issue 14). Keys are unique within a map, as in a dictionary.
    /// </summary>
    private sealed class TextEntries(PlanValue.Map map) : IReadOnlyDictionary<string, string>
    {
        public int Count { get; } = CountTexts(map);

        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => this.Select(e => e.Key);

        public IEnumerable<string> Values => this.Select(e => e.Value);

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        {
            foreach (var (name, entry) in map.Entries.AsSpan())
            {
                if (entry is PlanValue.Text text && string.Equals(name, key, StringComparison.Ordinal))
                {
                    value = text.Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            foreach (var (name, entry) in map.Entries)
            {
                if (entry is PlanValue.Text text)
                {
                    yield return KeyValuePair.Create(name, text.Value);
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private static int CountTexts(PlanValue.Map map)
        {
            var count = 0;
            foreach (var entry in map.Entries.AsSpan())
            {
                count += entry.Value is PlanValue.Text ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Resources of <paramref name="type"/> whose <paramref name="property"/> refers to <paramref name="target"/>.</summary>
    public static IEnumerable<PlannedResource> Attached(ResourcePlan plan, string type, PlannedResource target, string property) =>
        PlanIndex.Of(plan).Attached(type, property, static (r, p) => Get(r.Inputs, p), target.Name);

    /// <summary>Every pod-running Kubernetes resource with its pod spec and pod labels, in plan order (read once per plan).</summary>
    public static ImmutableArray<Workload> Workloads(ResourcePlan plan) => WorkloadLookups.Of(plan).Workloads;

    private static readonly FrozenSet<string> WorkloadTypes = FrozenSet.Create(StringComparer.Ordinal,
        KubernetesTypes.Deployment, "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job",
        KubernetesTypes.CronJob, "kubernetes:core/v1:Pod");

    internal static IEnumerable<Workload> ReadWorkloads(ResourcePlan plan)
    {
        foreach (var resource in PlanIndex.Of(plan).OfTypes(WorkloadTypes))
        {
            var template = resource.Type switch
            {
                KubernetesTypes.CronJob => "spec.jobTemplate.spec.template",
                "kubernetes:core/v1:Pod" => "",
                _ => "spec.template",
            };
            var pod = template.Length == 0 ? resource.Inputs : Get(resource.Inputs, template);
            var spec = Get(pod, "spec") as PlanValue.Map ?? PlanValue.Map.Empty;
            yield return new Workload(resource, spec, Strings(pod, "metadata.labels"));
        }
    }

    /// <summary>The fewest pods a Deployment runs: its autoscaler's <c>minReplicas</c>, else its <c>replicas</c> (Kubernetes defaults both to 1).</summary>
    public static int MinReplicas(ResourcePlan plan, PlannedResource workload)
    {
        var autoscaler = WorkloadLookups.Of(plan).AutoscalerOf(workload);
        var replicas = autoscaler is not null
            ? Number(autoscaler.Inputs, "spec.minReplicas")
            : Number(workload.Inputs, "spec.replicas");
        return (int)(replicas ?? 1);
    }

    /// <summary>Whether a PodDisruptionBudget selects the workload's pods (or belongs to the same component).</summary>
    public static bool HasDisruptionBudget(ResourcePlan plan, Workload workload) =>
        (workload.Resource.Component is { } component && WorkloadLookups.Of(plan).BudgetComponents.Contains(component)) ||
        WorkloadLookups.Of(plan).BudgetSelectors.SelectsAny(workload.PodLabels);

    /// <summary>Whether the workload serves HTTP traffic: a web service component, or a Service selects its pods.</summary>
    public static bool IsWeb(ResourcePlan plan, Workload workload) =>
        (workload.Resource.Component is { } component &&
            PlanIndex.Of(plan).ComponentTypes.GetValueOrDefault(component) == KubernetesTypes.WebServiceComponent) ||
        WorkloadLookups.Of(plan).ServiceSelectors.SelectsAny(workload.PodLabels);

    /// <summary>A value as text, with references and config as placeholders.</summary>
    public static string Describe(PlanValue value)
    {
        if (value is PlanValue.Text text)
        {
            return text.Value;
        }

        var description = new ArrayBufferWriter<char>();
        AppendDescription(description, value);
        return new string(description.WrittenSpan);
    }

    /// <summary>Appends <see cref="Describe"/>'s text of <paramref name="value"/>, part by part, without a string per part.</summary>
    internal static void AppendDescription(ArrayBufferWriter<char> text, PlanValue value)
    {
        switch (value)
        {
            case PlanValue.Text t:
                text.Write(t.Value);
                break;
            case PlanValue.Number n:
                // 64 characters hold any decimal (29 digits, a sign, a point and leading zeros).
                if (!n.Value.TryFormat(text.GetSpan(64), out var written, default, CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException("A decimal did not fit 64 characters.");
                }

                text.Advance(written);
                break;
            case PlanValue.Bool b:
                text.Write(b.Value ? "true" : "false");
                break;
            case PlanValue.Reference r:
                text.Write("${");
                text.Write(r.Resource);
                text.Write(".");
                text.Write(r.Property);
                text.Write("}");
                break;
            case PlanValue.ConfigReference c:
                text.Write("${config:");
                text.Write(c.Key);
                text.Write("}");
                break;
            case PlanValue.Interpolation i:
                foreach (var part in i.Parts)
                {
                    AppendDescription(text, part);
                }

                break;
            case PlanValue.Secret s:
                AppendDescription(text, s.Value);
                break;
            case PlanValue.Json j:
                text.Write(ToNode(j.Value)?.ToJsonString() ?? "null");
                break;
            default:
                break;
        }
    }

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
}

/// <summary>
/// Per-plan lookups of what targets or selects a workload (autoscalers, disruption budgets, Services), built once per
/// plan instance so the per-workload rules and the cost estimate stay linear in the plan's size.
/// </summary>
internal sealed class WorkloadLookups
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ResourcePlan, WorkloadLookups> Cache = [];

    // The first autoscaler in plan order that targets a workload: by reference to it, or by the Deployment's name.
    private readonly Dictionary<string, (int Order, PlannedResource Autoscaler)> _byReference = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Order, PlannedResource Autoscaler)> _byDeploymentName = new(StringComparer.Ordinal);

    private WorkloadLookups(ResourcePlan plan)
    {
        var autoscalers = plan.OfType(KubernetesTypes.HorizontalPodAutoscaler).ToList();
        for (var order = 0; order < autoscalers.Count; order++)
        {
            var autoscaler = autoscalers[order];
            switch (PlanReading.Get(autoscaler.Inputs, "spec.scaleTargetRef.name"))
            {
                case PlanValue.Reference reference:
                    _byReference.TryAdd(reference.Resource, (order, autoscaler));
                    break;
                case PlanValue.Text text when PlanReading.Text(autoscaler.Inputs, "spec.scaleTargetRef.kind") == "Deployment":
                    _byDeploymentName.TryAdd(text.Value, (order, autoscaler));
                    break;
                default:
                    break;
            }
        }

        var budgets = plan.OfType(KubernetesTypes.PodDisruptionBudget).ToList();
        BudgetComponents = budgets.Select(b => b.Component).OfType<string>().ToHashSet(StringComparer.Ordinal);
        BudgetSelectors = new SelectorIndex(budgets.Select(b => PlanReading.Strings(b.Inputs, "spec.selector.matchLabels")));
        ServiceSelectors = new SelectorIndex(plan.OfType(KubernetesTypes.Service).Select(s => PlanReading.Strings(s.Inputs, "spec.selector")));
        Workloads = [.. PlanReading.ReadWorkloads(plan)];
    }

    /// <summary>The plan's workloads (<see cref="PlanReading.Workloads"/>).</summary>
    public ImmutableArray<Workload> Workloads { get; }

    /// <summary>Components that have a PodDisruptionBudget.</summary>
    public HashSet<string> BudgetComponents { get; }

    /// <summary>The PodDisruptionBudgets' selectors.</summary>
    public SelectorIndex BudgetSelectors { get; }

    /// <summary>The Services' selectors.</summary>
    public SelectorIndex ServiceSelectors { get; }

    public static WorkloadLookups Of(ResourcePlan plan) => Cache.GetValue(plan, p => new WorkloadLookups(p));

    /// <summary>The first autoscaler (in plan order) that scales <paramref name="workload"/>, if any.</summary>
    public PlannedResource? AutoscalerOf(PlannedResource workload)
    {
        var byReference = _byReference.TryGetValue(workload.Name, out var r) ? r : (Order: int.MaxValue, Autoscaler: null!);
        var byName = PlanReading.Text(workload.Inputs, "metadata.name") is { } name && _byDeploymentName.TryGetValue(name, out var n)
            ? n
            : (Order: int.MaxValue, Autoscaler: null!);
        return byReference.Order <= byName.Order ? byReference.Autoscaler : byName.Autoscaler;
    }
}

/// <summary>
/// Label selectors, each filed under one of its own label pairs, so "does any of them select these labels" looks
/// only at the selectors that share a pair with the labels instead of at every selector.
/// </summary>
internal sealed class SelectorIndex
{
    // Nearly every selector has a pair of its own (a service's name): the first selector of a pair is filed alone, and
    // only a pair that several share gets a list (a list per selector was a quarter of reading a plan's workloads).
    private readonly Dictionary<(string Key, string Value), IReadOnlyDictionary<string, string>> _byPair = [];
    private readonly Dictionary<(string Key, string Value), List<IReadOnlyDictionary<string, string>>> _moreByPair = [];

    public SelectorIndex(IEnumerable<IReadOnlyDictionary<string, string>> selectors)
    {
        foreach (var selector in selectors)
        {
            if (selector.Count == 0)
            {
                continue;
            }

            // The pair with the ordinally first key (a loop, not a sort: one index entry per selector).
            var pair = default(KeyValuePair<string, string>);
            foreach (var entry in selector)
            {
                if (pair.Key is null || string.CompareOrdinal(entry.Key, pair.Key) < 0)
                {
                    pair = entry;
                }
            }

            if (_byPair.TryAdd((pair.Key, pair.Value), selector))
            {
                continue;
            }

            if (!_moreByPair.TryGetValue((pair.Key, pair.Value), out var more))
            {
                _moreByPair[(pair.Key, pair.Value)] = more = [];
            }

            more.Add(selector);
        }
    }

    /// <summary>Whether any non-empty selector matches every one of its pairs in <paramref name="labels"/>.</summary>
    public bool SelectsAny(IReadOnlyDictionary<string, string> labels)
    {
        // Loops rather than nested LINQ: this runs for every workload, and closures over labels were allocated per call.
        foreach (var label in labels)
        {
            if (!_byPair.TryGetValue((label.Key, label.Value), out var first))
            {
                continue;
            }

            if (Selects(first, labels))
            {
                return true;
            }

            if (_moreByPair.TryGetValue((label.Key, label.Value), out var more))
            {
                foreach (var selector in more)
                {
                    if (Selects(selector, labels))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector)
        {
            if (!labels.TryGetValue(key, out var label) || label != value)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A resource that runs pods.</summary>
/// <param name="Resource">The Deployment, CronJob or other workload.</param>
/// <param name="PodSpec">Its pod template's <c>spec</c>.</param>
/// <param name="PodLabels">Its pod template's plain-text labels.</param>
internal sealed record Workload(PlannedResource Resource, PlanValue.Map PodSpec, IReadOnlyDictionary<string, string> PodLabels)
{
    /// <summary>Init and regular containers (read once: every per-container rule and the cost estimate ask).</summary>
    public ImmutableArray<PlanValue.Map> Containers { get; } = ReadContainers(PodSpec);

    private static ImmutableArray<PlanValue.Map> ReadContainers(PlanValue.Map podSpec)
    {
        // One array of the final size (a builder and its copy per workload were most of what reading them allocated).
        var init = PlanReading.Items(podSpec, "initContainers").AsSpan();
        var main = PlanReading.Items(podSpec, "containers").AsSpan();
        var containers = new PlanValue.Map[init.Length + main.Length];
        var count = 0;
        foreach (var item in init)
        {
            if (item is PlanValue.Map container)
            {
                containers[count++] = container;
            }
        }

        foreach (var item in main)
        {
            if (item is PlanValue.Map container)
            {
                containers[count++] = container;
            }
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(count == containers.Length ? containers : containers[..count]);
    }
}

/// <summary>
/// Reads policy documents as JSON: structured values (<see cref="PlanValue.Json"/>), JSON text, or JSON text
/// assembled around references (references read as <c>${resource.property}</c>, config as <c>${config:key}</c>).
/// Documents are assembled in reused buffers (a structured one as UTF-8 JSON, a text one as its description) and
/// parsed into pooled memory, so reading the documents of a plan allocates little more than the documents.
/// </summary>
internal sealed class PolicyDocumentReader : IDisposable
{
    // Structured values may nest as deep as the writer allows (text documents keep the parser's default limit).
    private static readonly JsonDocumentOptions Structured = new() { MaxDepth = 1000 };

    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private readonly ArrayBufferWriter<char> _text = new(1024);
    private readonly Utf8JsonWriter _writer;

    public PolicyDocumentReader()
    {
        _writer = new Utf8JsonWriter(_json);
    }

    /// <summary>
    /// The document, or null when the value is not JSON. Dispose it before reading the next one: a structured
    /// document is read in place from this reader's buffer.
    /// </summary>
    public JsonDocument? Read(PlanValue value)
    {
        switch (value)
        {
            case PlanValue.Json json:
                _json.ResetWrittenCount();
                _writer.Reset(_json);
                WriteJson(json.Value);
                _writer.Flush();
                return JsonDocument.Parse(_json.WrittenMemory, Structured);
            case PlanValue.Secret secret:
                return Read(secret.Value);
            case PlanValue.Text or PlanValue.Interpolation:
                // Parsing copies the text into the document's own (pooled) memory, so the buffer is free again after.
                _text.ResetWrittenCount();
                PlanReading.AppendDescription(_text, value);
                try
                {
                    return JsonDocument.Parse(_text.WrittenMemory);
                }
                catch (JsonException)
                {
                    return null;
                }

            default:
                return null;
        }
    }

    /// <summary>
    /// Writes a structured value as the JSON the guardrails read: maps as objects, lists as arrays, numbers, booleans
    /// and null as themselves, secrets as their value, anything else as its description (<see cref="PlanReading.Describe"/>).
    /// </summary>
    private void WriteJson(PlanValue value)
    {
        switch (value)
        {
            case PlanValue.Map map:
                _writer.WriteStartObject();
                foreach (var (key, entry) in map.Entries.AsSpan())
                {
                    _writer.WritePropertyName(key);
                    WriteJson(entry);
                }

                _writer.WriteEndObject();
                break;
            case PlanValue.List list:
                _writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteJson(item);
                }

                _writer.WriteEndArray();
                break;
            case PlanValue.Number n:
                _writer.WriteNumberValue(n.Value);
                break;
            case PlanValue.Bool b:
                _writer.WriteBooleanValue(b.Value);
                break;
            case PlanValue.NullValue:
                _writer.WriteNullValue();
                break;
            case PlanValue.Secret s:
                WriteJson(s.Value);
                break;
            case PlanValue.Text text:
                _writer.WriteStringValue(text.Value);
                break;
            default:
                _text.ResetWrittenCount();
                PlanReading.AppendDescription(_text, value);
                _writer.WriteStringValue(_text.WrittenSpan);
                break;
        }
    }

    public void Dispose() => _writer.Dispose();
}
