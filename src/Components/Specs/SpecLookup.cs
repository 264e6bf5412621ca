using System.Runtime.CompilerServices;

namespace Platform.Components.Specs;

/// <summary>
/// Services of a spec by name, indexed once per spec instance (specs are immutable), so checking every
/// <c>uses</c> entry does not scan every service each time (issue 14: validation grew with the square of the services).
/// </summary>
internal static class SpecLookup
{
    private static readonly ConditionalWeakTable<EnvironmentSpec, Dictionary<string, ServiceSpec>> Services = [];

    /// <summary>The first service named <paramref name="name"/>, as <c>FirstOrDefault</c> would find it.</summary>
    public static ServiceSpec? Service(EnvironmentSpec spec, string name) =>
        Services.GetValue(spec, s =>
        {
            var index = new Dictionary<string, ServiceSpec>(s.Services.Length, StringComparer.Ordinal);
            foreach (var service in s.Services)
            {
                index.TryAdd(service.Name, service);
            }

            return index;
        }).GetValueOrDefault(name);
}
