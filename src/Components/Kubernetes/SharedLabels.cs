using System.Collections.ObjectModel;
using Platform.Components.Planning;

namespace Platform.Components.Kubernetes;

/// <summary>
/// A set of labels as the models take them (<c>IDictionary&lt;string, string&gt;</c>), read-only so that one instance
/// can be shared by every object that carries it (a service's Deployment, pods, Service, budget and autoscaler), and
/// converted to a plan value once (<see cref="KubernetesInputs"/>) instead of once per object.
/// </summary>
internal sealed class SharedLabels : ReadOnlyDictionary<string, string>
{
    /// <summary>A copy of <paramref name="labels"/>, in the order they are written.</summary>
    public SharedLabels(IEnumerable<KeyValuePair<string, string>> labels)
        : this(new Dictionary<string, string>(labels, StringComparer.Ordinal))
    {
    }

    private SharedLabels(Dictionary<string, string> labels)
        : base(labels)
    {
    }

    /// <summary>Wraps <paramref name="labels"/> (ordinal keys, in the order they are written) without copying; the caller gives it up.</summary>
    public static SharedLabels Wrap(Dictionary<string, string> labels) => new(labels);

    /// <summary>The dictionary this wraps (read by the conversion without an interface enumerator).</summary>
    internal Dictionary<string, string> Labels => (Dictionary<string, string>)Dictionary;

    /// <summary>The labels as a plan value, once converted. Plan values are immutable, so plans share it too.</summary>
    internal PlanValue.Map? Converted { get; set; }
}
