using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Platform.Components.Planning;

/// <summary>
/// Lookups over one plan, built once per plan instance (plans are immutable, so an index never goes stale; a
/// <c>with</c> copy is another instance with its own index). Guardrails and the cost estimate ask per resource
/// ("its autoscaler", "the blocks attached to this bucket"); answering each by scanning the whole plan made them
/// quadratic in the plan's size (issue 14).
/// </summary>
internal sealed class PlanIndex
{
    private static readonly ConditionalWeakTable<ResourcePlan, PlanIndex> Indexes = [];

    private readonly Dictionary<string, ImmutableArray<PlannedResource>> _byType;
    private readonly ConcurrentDictionary<(string Type, string Property), ILookup<string, PlannedResource>> _attached = new();

    // The plan's distinct types, and each resource's type by its position in the plan as a number into them: passes
    // that want a few types in plan order read this array, not every resource (at 5,000 services each resource read
    // is a cache miss, and most resources are of other types).
    private readonly string[] _types;
    private readonly int[] _typeAt;

    private PlanIndex(ResourcePlan plan, string[] types, int[] typeAt)
    {
        Plan = plan;
        _types = types;
        _typeAt = typeAt;
        // Counted first, so each type's array is allocated once at its size; then filled in plan order.
        var counts = new int[types.Length];
        foreach (var type in typeAt)
        {
            counts[type]++;
        }

        var arrays = new PlannedResource[types.Length][];
        var filled = new int[types.Length];
        var resources = plan.Resources.AsSpan();
        for (var i = 0; i < resources.Length; i++)
        {
            var type = typeAt[i];
            (arrays[type] ??= new PlannedResource[counts[type]])[filled[type]++] = resources[i];
        }

        _byType = new(types.Length, StringComparer.Ordinal);
        for (var type = 0; type < types.Length; type++)
        {
            _byType[types[type]] = ImmutableCollectionsMarshal.AsImmutableArray(arrays[type] ?? []);
        }

        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in plan.Components)
        {
            components.TryAdd(component.Name, component.Type);
        }

        ComponentTypes = components;
    }

    // An index read from the plan's resources, for a plan no builder kept one for.
    private static PlanIndex Read(ResourcePlan plan)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var typeAt = new int[plan.Resources.Length];
        for (var i = 0; i < typeAt.Length; i++)
        {
            ref var number = ref CollectionsMarshal.GetValueRefOrAddDefault(numbers, plan.Resources[i].Type, out var known);
            if (!known)
            {
                number = numbers.Count - 1;
            }

            typeAt[i] = number;
        }

        var types = new string[numbers.Count];
        foreach (var (type, number) in numbers)
        {
            types[number] = type;
        }

        return new PlanIndex(plan, types, typeAt);
    }

    /// <summary>The plan indexed.</summary>
    public ResourcePlan Plan { get; }

    /// <summary>Resources by logical name (built on first use: guardrails and costs look resources up by type).</summary>
    public IReadOnlyDictionary<string, PlannedResource> ByName => LazyInitializer.EnsureInitialized(ref _byName, () =>
    {
        var byName = new Dictionary<string, PlannedResource>(Plan.Resources.Length, StringComparer.Ordinal);
        foreach (var resource in Plan.Resources)
        {
            byName.TryAdd(resource.Name, resource);
        }

        return byName;
    });

    private Dictionary<string, PlannedResource>? _byName;

    /// <summary>Component types by component name.</summary>
    public IReadOnlyDictionary<string, string> ComponentTypes { get; }

    /// <summary>The index of <paramref name="plan"/>, built on first use.</summary>
    public static PlanIndex Of(ResourcePlan plan) => Indexes.GetValue(plan, Read);

    /// <summary>
    /// Keeps the index of a plan its builder knows each resource's type of, by position, so <see cref="Of"/> does not
    /// read every resource of a plan that has just left the processor's cache.
    /// </summary>
    /// <param name="plan">The plan just built.</param>
    /// <param name="types">Its distinct types.</param>
    /// <param name="typeAt">Each resource's type, by its position in <paramref name="plan"/>, as a number into <paramref name="types"/>.</param>
    public static void Keep(ResourcePlan plan, string[] types, int[] typeAt) =>
        Indexes.AddOrUpdate(plan, new PlanIndex(plan, types, typeAt));

    /// <summary>The resources of any of <paramref name="types"/>, in plan order; no resource of another type is read.</summary>
    public IEnumerable<PlannedResource> OfTypes(IReadOnlySet<string> types)
    {
        var wanted = new bool[_types.Length];
        for (var type = 0; type < _types.Length; type++)
        {
            wanted[type] = types.Contains(_types[type]);
        }

        for (var i = 0; i < _typeAt.Length; i++)
        {
            if (wanted[_typeAt[i]])
            {
                yield return Plan.Resources[i];
            }
        }
    }

    /// <summary>Resources of one type token, in plan order.</summary>
    public ImmutableArray<PlannedResource> OfType(string type) => _byType.GetValueOrDefault(type, []);

    /// <summary>
    /// Resources of <paramref name="type"/> whose <paramref name="property"/> refers to the resource named
    /// <paramref name="target"/>, in plan order. Each (type, property) pair is indexed once.
    /// </summary>
    /// <param name="type">The attached resources' type token.</param>
    /// <param name="property">Where they name their target (a dotted path).</param>
    /// <param name="read">Reads <paramref name="property"/> of a resource.</param>
    /// <param name="target">The target's logical name.</param>
    public IEnumerable<PlannedResource> Attached(string type, string property, Func<PlannedResource, string, PlanValue?> read, string target) =>
        _attached.GetOrAdd((type, property), key => OfType(key.Type)
            .SelectMany(r => (read(r, key.Property)?.ReferencedResources() ?? []).Distinct(StringComparer.Ordinal).Select(t => (Target: t, Resource: r)))
            .ToLookup(p => p.Target, p => p.Resource, StringComparer.Ordinal))[target];
}
