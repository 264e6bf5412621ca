using System.Text.Json.Nodes;
using k8s;
using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>Turns a typed <c>k8s.Models</c> object into resource inputs, so every property name is the API's own.</summary>
internal static class KubernetesInputs
{
    /// <summary>
    /// Serializes <paramref name="model"/> with the client's own serializer (nulls omitted, quantities and
    /// int-or-string values in their wire form) and drops <c>apiVersion</c>/<c>kind</c>: the type token implies them.
    /// </summary>
    public static PlanValue.Map From(object model)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(model)) as JsonObject
            ?? throw new ArgumentException("A Kubernetes object serializes to a JSON object.", nameof(model));
        node.Remove("apiVersion");
        node.Remove("kind");
        return (PlanValue.Map)PlanValue.FromJson(InReadingOrder(node));
    }

    // The models serialize properties alphabetically. People write identity first (metadata, name, labels), then
    // what a block is (type, image), then who it selects or targets, then the details: these keys lead, in this
    // order, wherever they appear; the rest stay alphabetical.
    private static readonly string[] LeadingKeys =
    [
        "metadata", "apiVersion", "kind", "name", "namespace", "labels", "annotations", "type", "image", "imagePullPolicy",
        "command", "args", "schedule", "podSelector", "policyTypes", "ingress", "egress", "from", "to", "scaleTargetRef",
        "minReplicas", "maxReplicas", "replicas", "selector", "host", "path", "pathType", "ports", "envFrom", "resources",
        "httpGet", "tcpSocket", "startupProbe", "readinessProbe", "livenessProbe", "serviceAccountName", "securityContext",
        "containers", "volumeMounts", "volumes",
    ];

    private static JsonNode InReadingOrder(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                var ordered = new JsonObject();
                var properties = obj.ToList();
                obj.Clear();
                foreach (var (key, value) in properties.OrderBy(p => Rank(p.Key)))
                {
                    ordered[key] = value is null ? null : InReadingOrder(value);
                }

                return ordered;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                return new JsonArray([.. items.Select(i => i is null ? null : InReadingOrder(i))]);
            default:
                return node;
        }
    }

    private static int Rank(string key)
    {
        var index = Array.IndexOf(LeadingKeys, key);
        return index < 0 ? LeadingKeys.Length : index;
    }

    /// <summary>
    /// Like <see cref="From"/>, and points <c>metadata.namespace</c> at the environment's namespace resource, so
    /// every namespaced object is created after the namespace (and deleted before it).
    /// </summary>
    /// <remarks>Set <c>metadata.namespace</c> on the model (to anything) to keep the key where the model puts it.</remarks>
    public static PlanValue.Map Namespaced(object model) =>
        From(model).With("metadata.namespace", PlanValue.Ref(LogicalNames.Namespace, "metadata.name"));
}
