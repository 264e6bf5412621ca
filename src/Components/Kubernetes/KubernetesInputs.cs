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
        return (PlanValue.Map)PlanValue.FromJson(node);
    }

    /// <summary>
    /// Like <see cref="From"/>, and points <c>metadata.namespace</c> at the environment's namespace resource, so
    /// every namespaced object is created after the namespace (and deleted before it).
    /// </summary>
    /// <remarks>Set <c>metadata.namespace</c> on the model (to anything) to keep the key where the model puts it.</remarks>
    public static PlanValue.Map Namespaced(object model) =>
        From(model).With("metadata.namespace", PlanValue.Ref(LogicalNames.Namespace, "metadata.name"));
}
