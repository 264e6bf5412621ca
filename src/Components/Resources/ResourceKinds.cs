using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Platform.Components.Specs;

namespace Platform.Components.Resources;

/// <summary>
/// The registry of resource kinds. It lists every concrete <see cref="ResourceKind"/> in this assembly, so adding a
/// kind is adding its folder: nothing else names the kinds one by one.
/// </summary>
public static class ResourceKinds
{
    /// <summary>Every kind, in listing order (<see cref="ResourceKind.Order"/>, then name).</summary>
    public static ImmutableArray<ResourceKind> All { get; } =
    [
        .. typeof(ResourceKind).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ResourceKind)) && !t.IsAbstract)
            .Select(t => (ResourceKind)Activator.CreateInstance(t, nonPublic: true)!)
            .OrderBy(k => k.Order)
            .ThenBy(k => k.Name, StringComparer.Ordinal),
    ];

    /// <summary>The kinds' names, in listing order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Select(k => k.Name)];

    /// <summary>Finds a kind by the name specs use.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out ResourceKind? kind)
    {
        kind = All.FirstOrDefault(k => k.Name == name);
        return kind is not null;
    }

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No kind has that name.</exception>
    public static ResourceKind Get(string name) =>
        TryGet(name, out var kind) ? kind : throw new ArgumentException($"No resource kind is named '{name}'. Known kinds: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>The kind of <paramref name="resource"/> (of a validated spec, whose types are all registered).</summary>
    /// <exception cref="ArgumentException">No kind has the resource's type.</exception>
    internal static ResourceKind Of(ResourceSpec resource) => Get(resource.Type);

    /// <summary>Every field any kind accepts, in the order the kinds declare them (registry order first).</summary>
    public static ImmutableArray<string> FieldNames { get; } = [.. All.SelectMany(k => k.Fields.Select(f => f.Name)).Distinct()];

    /// <summary>Every field any kind accepts, by name, with the kinds that accept it.</summary>
    internal static ImmutableSortedDictionary<string, ImmutableArray<ResourceKind>> FieldOwners { get; } =
        All.SelectMany(k => k.Fields.Select(f => (f.Name, Kind: k)))
            .GroupBy(x => x.Name, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => g.Select(x => x.Kind).ToImmutableArray(), StringComparer.Ordinal);
}
