using System.Collections.Immutable;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Labels of a service's objects: the environment's ownership labels plus the recommended
/// <c>app.kubernetes.io/*</c> set. Selectors use only <see cref="Selector"/> (name and instance), which never
/// changes for the life of a service: a selector that included the version would orphan pods on every release
/// (and a Deployment's selector is immutable). The version label is only on the workload (Deployment or CronJob) and
/// its pods: a deploy of a new image then changes that one object, not every object of the service.
/// </summary>
/// <param name="Selector">The stable subset that selects the service's pods.</param>
/// <param name="All">Every label the service's objects carry.</param>
/// <param name="Workload">The labels of the workload and its pods: <paramref name="All"/> plus the image's version.</param>
/// <remarks>Each set is one shared, read-only dictionary for all of the service's objects (<see cref="SharedLabels"/>).</remarks>
internal sealed record WorkloadLabels(SharedLabels Selector, SharedLabels All, SharedLabels Workload)
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string Version = "app.kubernetes.io/version";

    /// <summary>Labels of <paramref name="service"/>'s objects in <paramref name="context"/>'s environment.</summary>
    public static WorkloadLabels For(PlanContext context, ServiceSpec service)
    {
        // What context.Labels.SetItems(...) would hold, in its order, without building a sorted tree per service.
        var selector = PodSelector(context.Spec, service);
        var comparer = context.Labels.KeyComparer;
        var all = With(context.Labels, comparer,
        [
            KeyValuePair.Create(Component, ComponentOf(service.Type)),
            KeyValuePair.Create(Instance, selector[Instance]),
            KeyValuePair.Create(Name, service.Name),
            KeyValuePair.Create(PartOf, context.Spec.Name),
        ]);
        var shared = SharedLabels.Wrap(all);
        var workload = ImageReference.VersionLabel(service.Image) is { } version
            ? SharedLabels.Wrap(With(all, comparer, [KeyValuePair.Create(Version, version)]))
            : shared;
        return new WorkloadLabels(selector, shared, workload);
    }

    /// <summary>
    /// <see cref="SelectorOf"/>'s labels as the models take them (instance, then name): within a compilation, one
    /// instance per service for its own objects and every network policy that selects its pods.
    /// </summary>
    public static SharedLabels PodSelector(EnvironmentSpec spec, ServiceSpec service) =>
        SharedValues.Current?.Selector(spec, service) ?? NewSelector(spec, service);

    /// <summary>A new <see cref="PodSelector"/>.</summary>
    internal static SharedLabels NewSelector(EnvironmentSpec spec, ServiceSpec service) => SharedLabels.Wrap(new(2, StringComparer.Ordinal)
    {
        [Instance] = InstanceOf(spec, service),
        [Name] = service.Name,
    });

    // Labels in key order with the pairs of set (any order) added or replacing: the pairs ImmutableSortedDictionary's
    // SetItems would give, in the order it enumerates them.
    // A dictionary enumerates in insertion order while nothing is removed, so it is built in the order the labels are
    // written.
    private static Dictionary<string, string> With(
        IReadOnlyCollection<KeyValuePair<string, string>> labels, IComparer<string> comparer, KeyValuePair<string, string>[] set)
    {
        // An insertion sort of the few pairs: Array.Sort with a comparison would make a delegate and a closure per call.
        for (var i = 1; i < set.Length; i++)
        {
            var pair = set[i];
            var j = i - 1;
            while (j >= 0 && comparer.Compare(set[j].Key, pair.Key) > 0)
            {
                set[j + 1] = set[j];
                j--;
            }

            set[j + 1] = pair;
        }

        var merged = new Dictionary<string, string>(labels.Count + set.Length, StringComparer.Ordinal);
        var next = 0;
        foreach (var pair in labels)
        {
            while (next < set.Length && comparer.Compare(set[next].Key, pair.Key) < 0)
            {
                merged.Add(set[next].Key, set[next++].Value);
            }

            var (key, value) = next < set.Length && comparer.Compare(set[next].Key, pair.Key) == 0 ? set[next++] : pair;
            merged.Add(key, value);
        }

        while (next < set.Length)
        {
            merged.Add(set[next].Key, set[next++].Value);
        }

        return merged;
    }

    /// <summary>The labels that select <paramref name="service"/>'s pods (also used by other services' policies).</summary>
    public static ImmutableSortedDictionary<string, string> SelectorOf(EnvironmentSpec spec, ServiceSpec service) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        [
            KeyValuePair.Create(Name, service.Name),
            KeyValuePair.Create(Instance, InstanceOf(spec, service)),
        ]);

    /// <summary>The <c>app.kubernetes.io/instance</c> value of <paramref name="service"/>.</summary>
    public static string InstanceOf(EnvironmentSpec spec, ServiceSpec service) =>
        PhysicalName.Create(PhysicalName.KubernetesLabel, spec.Name, service.Name);

    /// <summary>The <c>app.kubernetes.io/component</c> value of a workload type.</summary>
    public static string ComponentOf(ServiceType type) => type switch
    {
        ServiceType.Web => "web",
        ServiceType.Worker => "worker",
        ServiceType.Cron => "cron",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown service type."),
    };

    /// <summary>Labels for environment-wide objects (namespace, quota, policies): ownership plus <c>part-of</c>.</summary>
    public static ImmutableSortedDictionary<string, string> Environment(PlanContext context) =>
        context.Labels.SetItem(PartOf, context.Spec.Name);
}
