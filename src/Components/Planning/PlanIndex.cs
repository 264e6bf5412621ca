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

    private PlanIndex(ResourcePlan plan, Dictionary<string, ImmutableArray<PlannedResource>> byType)
    {
        Plan = plan;
        _byType = byType;
        ComponentTypes = ComponentTypesOf(plan);
    }

    private PlanIndex(ResourcePlan plan)
    {
        Plan = plan;
        // Counted first, so each type's array is allocated once at its size (builders grew by doubling and were
        // copied again: a megabyte at 5,000 services); then filled in plan order, the count left to fill counting down.
        var byType = new Dictionary<string, (PlannedResource[]? Items, int Left)>(StringComparer.Ordinal);
        foreach (var resource in plan.Resources.AsSpan())
        {
            CollectionsMarshal.GetValueRefOrAddDefault(byType, resource.Type, out _).Left++;
        }

        foreach (var resource in plan.Resources.AsSpan())
        {
            ref var bucket = ref CollectionsMarshal.GetValueRefOrNullRef(byType, resource.Type);
            bucket.Items ??= new PlannedResource[bucket.Left];
            bucket.Items[bucket.Items.Length - bucket.Left--] = resource;
        }

        _byType = byType.ToDictionary(t => t.Key, t => ImmutableCollectionsMarshal.AsImmutableArray(t.Value.Items), StringComparer.Ordinal);
        ComponentTypes = ComponentTypesOf(plan);
    }

    private static Dictionary<string, string> ComponentTypesOf(ResourcePlan plan)
    {
        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in plan.Components)
        {
            components.TryAdd(component.Name, component.Type);
        }

        return components;
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
    public static PlanIndex Of(ResourcePlan plan) => Indexes.GetValue(plan, p => new PlanIndex(p));

    /// <summary>
    /// Keeps the index the plan's builder worked out from what it already knew (each resource's type, by number), so
    /// <see cref="Of"/> does not read every resource of a plan that has just left the processor's cache.
    /// </summary>
    /// <param name="plan">The plan just built.</param>
    /// <param name="byType">Its resources of each type, in plan order.</param>
    public static void Keep(ResourcePlan plan, Dictionary<string, ImmutableArray<PlannedResource>> byType) =>
        Indexes.AddOrUpdate(plan, new PlanIndex(plan, byType));

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
