using System.Text;
using k8s.Models;
using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>
/// The Kubernetes ConfigMap that tells services where a bucket or queue is. Bucket names are generated (from an S3
/// bucket prefix) and queue URLs are only known after creation, so services read them from
/// this ConfigMap (load it with <c>envFrom</c>, by its <c>metadata.name</c> output: the name is Pulumi's autoname) rather
/// than by convention. Keys are environment-variable names
/// prefixed with the resource's name, so several resources' ConfigMaps never collide:
/// <c>RECEIPTS_BUCKET</c>, <c>RECEIPTS_BUCKET_ARN</c>, <c>EVENTS_QUEUE_URL</c>, <c>EVENTS_QUEUE_ARN</c>,
/// <c>EVENTS_DEAD_LETTER_QUEUE_URL</c>. Databases use their connection Secret instead
/// (<see cref="LogicalNames.ConnectionSecret"/>).
/// </summary>
internal static class ConnectionConfig
{
    /// <summary>Logical name of a bucket's or queue's ConfigMap.</summary>
    public static string LogicalName(string resource) => $"{resource}-connection";

    /// <summary>An environment-variable key: the resource's name upper-cased, non-alphanumerics as '_', then the suffix.</summary>
    public static string Key(string resource, string suffix)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var key = new StringBuilder();
        foreach (var c in resource.ToUpperInvariant())
        {
            key.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        if (!char.IsAsciiLetter(key[0]))
        {
            key.Insert(0, '_');
        }

        return key.Append('_').Append(suffix).ToString();
    }

    internal static void Plan(PlanContext context, string resource, params (string Suffix, PlanValue Value)[] entries)
    {
        var data = entries.Select(e => (Key: Key(resource, e.Suffix), e.Value)).ToList();
        var configMap = new V1ConfigMap
        {
            // Autonamed: a replaced bucket or queue changes the data, so the ConfigMap is replaced under a new name and
            // the pods that load it roll (KubernetesPlanner.AutonamedMetadata says why a fixed name would not).
            Metadata = KubernetesPlanner.AutonamedMetadata(context, context.Labels.SetItem("platform.io/resource", resource).ToDictionary(StringComparer.Ordinal)),
            // Placeholders keep the typed model's property names; the values are set below as plan values.
            Data = data.ToDictionary(d => d.Key, _ => string.Empty, StringComparer.Ordinal),
        };
        var inputs = KubernetesInputs.Namespaced(configMap);
        foreach (var (key, value) in data)
        {
            inputs = inputs.With("data", value, key);
        }

        context.Builder.Add(LogicalName(resource), KubernetesTypes.ConfigMap, inputs, resource,
            PlanResourceOptions.WithProvider(LogicalNames.KubernetesProvider));
    }

    /// <summary>
    /// Plans the Kubernetes Secret that carries a resource's connection details when some of them are secret (a
    /// database password, a cache auth token); services load it with <c>envFrom</c> like the ConfigMap. Its name is
    /// Pulumi's autoname: read it from the Secret's <c>metadata.name</c> output.
    /// </summary>
    internal static void PlanSecret(PlanContext context, string resource, IReadOnlyList<(string Key, PlanValue Value)> data)
    {
        var secret = new V1Secret
        {
            // Autonamed: a rotated password or token, or a replaced instance's address, changes the data, so the Secret
            // is replaced under a new name and the pods that load it roll onto the new values
            // (KubernetesPlanner.AutonamedMetadata says why a fixed name would not).
            Metadata = KubernetesPlanner.AutonamedMetadata(context, context.Labels.SetItem("platform.io/resource", resource).ToDictionary(StringComparer.Ordinal)),
            Type = "Opaque",
            // Placeholders keep the typed model's property names; the values are set below as plan values.
            StringData = data.ToDictionary(d => d.Key, _ => string.Empty, StringComparer.Ordinal),
        };
        var inputs = KubernetesInputs.Namespaced(secret);
        foreach (var (key, value) in data)
        {
            inputs = inputs.With("stringData", value, key);
        }

        context.Builder.Add(LogicalNames.ConnectionSecret(resource), KubernetesTypes.Secret, inputs, resource,
            PlanResourceOptions.WithProvider(LogicalNames.KubernetesProvider));
    }
}
