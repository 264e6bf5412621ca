using System.Runtime.CompilerServices;

namespace Platform.Components.Specs;

/// <summary>
/// Services and resources of a spec by name, indexed once per spec instance (specs are immutable), so checking every
/// <c>uses</c> entry does not scan every service or resource each time (issue 14: validation grew with the square of
/// the services).
/// </summary>
internal static class SpecLookup
{
    private static readonly ConditionalWeakTable<EnvironmentSpec, Dictionary<string, ServiceSpec>> Services = [];
    private static readonly ConditionalWeakTable<EnvironmentSpec, Dictionary<string, ResourceSpec>> Resources = [];

    /// <summary>The first service named <paramref name="name"/>, as <c>FirstOrDefault</c> would find it.</summary>
    public static ServiceSpec? Service(EnvironmentSpec spec, string name) =>
        Services.GetValue(spec, s => FirstByName(s.Services, service => service.Name)).GetValueOrDefault(name);

    /// <summary>The first resource named <paramref name="name"/>, as <c>FirstOrDefault</c> would find it.</summary>
    public static ResourceSpec? Resource(EnvironmentSpec spec, string name) =>
        Resources.GetValue(spec, s => FirstByName(s.Resources, resource => resource.Name)).GetValueOrDefault(name);

    private static Dictionary<string, T> FirstByName<T>(System.Collections.Immutable.ImmutableArray<T> items, Func<T, string> name)
    {
        var index = new Dictionary<string, T>(items.Length, StringComparer.Ordinal);
        foreach (var item in items)
        {
            index.TryAdd(name(item), item);
        }

        return index;
    }
}
