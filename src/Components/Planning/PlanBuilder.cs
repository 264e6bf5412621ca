using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Platform.Components.Planning;

/// <summary>
/// Collects a plan's parts while components add to it, and checks on <see cref="Build"/> that the result is a
/// well-formed graph: unique names, references that resolve, no dependency cycles.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly List<PlannedResource> _resources = [];
    // Each resource's number: its position in the order it was added. Dependencies are worked out on numbers.
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    // What each resource needs and is, by number, read when it is added (its inputs were just made), so Build and the
    // plan index it hands over (each resource's type number, by plan position) need not read the finished plan's
    // resources again: at 5,000 services that plan is 40 MB, and each resource read is a cache miss.
    private readonly List<Added> _added = [];
    private readonly Dictionary<string, int> _typeNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _types = [];
    // Every resource's needed names and config keys read, one after another (Added says which are whose): one list
    // each instead of two arrays per resource that would live until Build.
    private readonly List<string> _names = [];
    private readonly List<string> _configRead = [];
    private readonly List<PlanComponent> _components = [];
    private readonly HashSet<string> _componentNames = new(StringComparer.Ordinal);
    private readonly List<PlanConfigEntry> _config = [];
    private readonly Dictionary<string, PlanConfigEntry> _configKeys = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, StackConfigValue> _stackConfig = new(StringComparer.Ordinal);
    private readonly List<PlanOutput> _outputs = [];
    private readonly HashSet<string> _outputNames = new(StringComparer.Ordinal);

    /// <summary>Whether a resource with this logical name was added.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Resources added so far.</summary>
    public IReadOnlyList<PlannedResource> Resources => _resources;

    /// <summary>Adds a component grouping.</summary>
    public PlanBuilder AddComponent(string name, string type)
    {
        if (!_componentNames.Add(name))
        {
            throw new InvalidOperationException($"Component '{name}' was added twice.");
        }

        _components.Add(new PlanComponent(name, type));
        return this;
    }

    /// <summary>Adds a resource.</summary>
    /// <exception cref="InvalidOperationException">A resource with the same logical name exists.</exception>
    public PlannedResource Add(string name, string type, PlanValue.Map inputs, string? component, PlanResourceOptions? options = null)
    {
        var resource = new PlannedResource(name, type, inputs, options ?? PlanResourceOptions.None, component);
        if (!_byName.TryAdd(name, _resources.Count))
        {
            throw new InvalidOperationException($"Two resources are named '{name}' ({_resources[_byName[name]].Type} and {type}).");
        }

        _resources.Add(resource);
        _added.Add(Needs(resource));
        return resource;
    }

    // The names a resource refers to, in the order a depth-first walk of its inputs meets them, then its explicit
    // dependencies, then its provider, each once; and the config keys its inputs read, in the order met (they are
    // checked in Build: config may be declared after the resource that reads it).
    private Added Needs(PlannedResource resource)
    {
        var (names, keys) = (_names.Count, _configRead.Count);
        Collect(resource.Inputs, names);
        foreach (var dependency in resource.Options.DependsOn)
        {
            Need(dependency, names);
        }

        if (resource.Options.Provider is { } provider)
        {
            Need(provider, names);
        }

        ref var type = ref CollectionsMarshal.GetValueRefOrAddDefault(_typeNumbers, resource.Type, out var known);
        if (!known)
        {
            type = _types.Count;
            _types.Add(resource.Type);
        }

        return new Added(names, _names.Count - names, keys, _configRead.Count - keys, type, resource.IsProvider);
    }

    /// <summary>
    /// Declares a stack config entry and, when given, its value for this stack. Planners that read the same key
    /// declare it each (the provider and a database both read the region): declaring a key again with an equal entry,
    /// and an equal value or none, changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The key is declared already with a different entry (secret-ness, type, default or description), or given
    /// a different value: one program holds one declaration and one value per key, so either would be lost (a plain
    /// value under a secret declaration is one the CLI refuses).
    /// </exception>
    public PlanBuilder AddConfig(PlanConfigEntry entry, StackConfigValue? value = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_configKeys.TryGetValue(entry.Key, out var declared))
        {
            if (declared != entry)
            {
                throw new InvalidOperationException($"Config key '{entry.Key}' is declared twice, differently: {declared} and {entry}.");
            }
        }
        else
        {
            _configKeys.Add(entry.Key, entry);
            _config.Add(entry);
        }

        if (value is not null)
        {
            if (_stackConfig.TryGetValue(entry.Key, out var set) && set != value)
            {
                // StackConfigValue prints "[secret]" for a secret value, so the message never holds one.
                throw new InvalidOperationException($"Config key '{entry.Key}' is given two different values: '{set}' ({(set.Secret ? "secret" : "plain")}) and '{value}' ({(value.Secret ? "secret" : "plain")}).");
            }

            _stackConfig[entry.Key] = value;
        }

        return this;
    }

    /// <summary>Adds an environment output.</summary>
    public PlanBuilder AddOutput(string name, PlanValue value, string? component)
    {
        if (!_outputNames.Add(name))
        {
            throw new InvalidOperationException($"Output '{name}' was added twice.");
        }

        _outputs.Add(new PlanOutput(name, value, component));
        return this;
    }

    /// <summary>Checks the graph and returns the plan.</summary>
    /// <exception cref="InvalidOperationException">A reference names no resource, a config key is undeclared, or dependencies form a cycle.</exception>
    public ResourcePlan Build(string environment, Specs.Tier tier, string target)
    {
        // In the order resources were added, the first problem of each: a config key read but not declared, then a
        // name that is not in the plan. What each needs, by number, serves both the check and the order.
        var numbers = new int[_names.Count];
        for (var i = 0; i < _resources.Count; i++)
        {
            var added = _added[i];
            for (var k = added.Keys; k < added.Keys + added.KeyCount; k++)
            {
                if (!_configKeys.ContainsKey(_configRead[k]))
                {
                    throw new InvalidOperationException($"Resource '{_resources[i].Name}' reads config '{_configRead[k]}', which is not declared.");
                }
            }

            for (var n = added.Names; n < added.Names + added.NameCount; n++)
            {
                if (!_byName.TryGetValue(_names[n], out numbers[n]))
                {
                    throw new InvalidOperationException($"Resource '{_resources[i].Name}' refers to '{_names[n]}', which is not in the plan.");
                }
            }
        }

        foreach (var output in _outputs)
        {
            foreach (var dependency in output.Value.ReferencedResources().Where(d => !_byName.ContainsKey(d)))
            {
                throw new InvalidOperationException($"Output '{output.Name}' refers to '{dependency}', which is not in the plan.");
            }
        }

        var order = TopologicalOrder(numbers);
        var resources = new PlannedResource[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            resources[i] = _resources[order[i]];
        }

        var plan = new ResourcePlan(
            environment,
            tier,
            target,
            [.. _components],
            ImmutableCollectionsMarshal.AsImmutableArray(resources),
            [.. _config],
            [.. _outputs],
            _stackConfig.ToImmutableSortedDictionary(StringComparer.Ordinal));
        var typeAt = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            typeAt[i] = _added[order[i]].Type;
        }

        PlanIndex.Keep(plan, [.. _types], typeAt);
        return plan;
    }

    // Recursive rather than PlanValue.Walk: this runs over every input of every resource.
    private void Collect(PlanValue value, int names)
    {
        switch (value)
        {
            case PlanValue.Reference reference:
                Need(reference.Resource, names);
                break;
            case PlanValue.ConfigReference key:
                _configRead.Add(key.Key);
                break;
            case PlanValue.Map map:
                foreach (var entry in map.Entries.AsSpan())
                {
                    Collect(entry.Value, names);
                }

                break;
            case PlanValue.List list:
                foreach (var item in list.Items)
                {
                    Collect(item, names);
                }

                break;
            case PlanValue.Interpolation interpolation:
                foreach (var part in interpolation.Parts)
                {
                    Collect(part, names);
                }

                break;
            case PlanValue.Secret secret:
                Collect(secret.Value, names);
                break;
            case PlanValue.Json json:
                Collect(json.Value, names);
                break;
            default:
                break;
        }
    }

    // A resource refers to a few others at most: a linear check of its own names (from the first) keeps the first
    // occurrence's order.
    private void Need(string name, int first)
    {
        if (_names.IndexOf(name, first) < 0)
        {
            _names.Add(name);
        }
    }

    // Keeps the order resources were added in wherever dependencies allow, so output stays readable and stable.
    // Providers go first. Resources are numbered in the order they were added; the walk works on those numbers.
    private int[] TopologicalOrder(int[] needs)
    {
        var state = new byte[_resources.Count]; // 0: not seen, 1: visiting, 2: done
        var ordered = new int[_resources.Count];
        var count = 0;
        var path = new List<int>();

        void Visit(int resource)
        {
            switch (state[resource])
            {
                case 2:
                    return;
                case 1:
                    throw new InvalidOperationException(
                        $"Resources depend on each other in a cycle: {string.Join(" -> ", path.Select(p => _resources[p].Name))} -> {_resources[resource].Name}.");
                default:
                    break;
            }

            state[resource] = 1;
            path.Add(resource);
            var added = _added[resource];
            for (var n = added.Names; n < added.Names + added.NameCount; n++)
            {
                Visit(needs[n]);
            }

            path.RemoveAt(path.Count - 1);
            state[resource] = 2;
            ordered[count++] = resource;
        }

        for (var i = 0; i < _resources.Count; i++)
        {
            if (_added[i].IsProvider)
            {
                Visit(i);
            }
        }

        for (var i = 0; i < _resources.Count; i++)
        {
            Visit(i);
        }

        return ordered;
    }

    // A resource's needed names (_names[Names..Names + NameCount]), config keys read (_configRead[Keys..]), type number
    // (_types) and whether it is a provider.
    private readonly record struct Added(int Names, int NameCount, int Keys, int KeyCount, int Type, bool IsProvider);
}
