using System.Collections.Immutable;

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
    private readonly List<PlanComponent> _components = [];
    private readonly HashSet<string> _componentNames = new(StringComparer.Ordinal);
    private readonly List<PlanConfigEntry> _config = [];
    private readonly HashSet<string> _configKeys = new(StringComparer.Ordinal);
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
        return resource;
    }

    /// <summary>Declares a stack config entry (once per key) and, when given, its value for this stack.</summary>
    public PlanBuilder AddConfig(PlanConfigEntry entry, StackConfigValue? value = null)
    {
        if (_configKeys.Add(entry.Key))
        {
            _config.Add(entry);
        }

        if (value is not null)
        {
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
        // Each resource's dependencies are found once (one walk of its inputs) and serve both the check and the order:
        // the numbers of the resources it needs, in the order a depth-first walk meets them, then its explicit
        // dependencies, then its provider, each once.
        var dependencies = new int[_resources.Count][];
        var needs = new List<int>();
        for (var i = 0; i < _resources.Count; i++)
        {
            var resource = _resources[i];
            needs.Clear();
            string? missing = null;
            Collect(resource, resource.Inputs, needs, ref missing);
            foreach (var dependency in resource.Options.DependsOn)
            {
                Need(dependency, needs, ref missing);
            }

            if (resource.Options.Provider is { } provider)
            {
                Need(provider, needs, ref missing);
            }

            if (missing is not null)
            {
                throw new InvalidOperationException($"Resource '{resource.Name}' refers to '{missing}', which is not in the plan.");
            }

            dependencies[i] = [.. needs];
        }

        foreach (var output in _outputs)
        {
            foreach (var dependency in output.Value.ReferencedResources().Where(d => !_byName.ContainsKey(d)))
            {
                throw new InvalidOperationException($"Output '{output.Name}' refers to '{dependency}', which is not in the plan.");
            }
        }

        return new ResourcePlan(
            environment,
            tier,
            target,
            [.. _components],
            TopologicalOrder(dependencies),
            [.. _config],
            [.. _outputs],
            _stackConfig.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    // The resources a value refers to, in the order a depth-first walk meets them, each once; every config key read
    // must be declared (checked before any missing reference is reported). Recursive rather than PlanValue.Walk:
    // this runs over every input of every resource.
    private void Collect(PlannedResource resource, PlanValue value, List<int> references, ref string? missing)
    {
        switch (value)
        {
            case PlanValue.Reference reference:
                Need(reference.Resource, references, ref missing);
                break;
            case PlanValue.ConfigReference key when !_configKeys.Contains(key.Key):
                throw new InvalidOperationException($"Resource '{resource.Name}' reads config '{key.Key}', which is not declared.");
            case PlanValue.Map map:
                foreach (var entry in map.Entries.AsSpan())
                {
                    Collect(resource, entry.Value, references, ref missing);
                }

                break;
            case PlanValue.List list:
                foreach (var item in list.Items)
                {
                    Collect(resource, item, references, ref missing);
                }

                break;
            case PlanValue.Interpolation interpolation:
                foreach (var part in interpolation.Parts)
                {
                    Collect(resource, part, references, ref missing);
                }

                break;
            case PlanValue.Secret secret:
                Collect(resource, secret.Value, references, ref missing);
                break;
            case PlanValue.Json json:
                Collect(resource, json.Value, references, ref missing);
                break;
            default:
                break;
        }
    }

    // Adds the number of the resource named, once (a resource refers to a few others at most: a linear check keeps
    // the first occurrence's order); the first name that is not in the plan is kept to be reported.
    private void Need(string name, List<int> numbers, ref string? missing)
    {
        if (!_byName.TryGetValue(name, out var number))
        {
            missing ??= name;
            return;
        }

        if (!numbers.Contains(number))
        {
            numbers.Add(number);
        }
    }

    // Keeps the order resources were added in wherever dependencies allow, so output stays readable and stable.
    // Providers go first. Resources are numbered in the order they were added; the walk works on those numbers.
    private ImmutableArray<PlannedResource> TopologicalOrder(int[][] needs)
    {
        var state = new byte[_resources.Count]; // 0: not seen, 1: visiting, 2: done
        var ordered = ImmutableArray.CreateBuilder<PlannedResource>(_resources.Count);
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
            foreach (var dependency in needs[resource])
            {
                Visit(dependency);
            }

            path.RemoveAt(path.Count - 1);
            state[resource] = 2;
            ordered.Add(_resources[resource]);
        }

        for (var i = 0; i < _resources.Count; i++)
        {
            if (_resources[i].IsProvider)
            {
                Visit(i);
            }
        }

        for (var i = 0; i < _resources.Count; i++)
        {
            Visit(i);
        }

        return ordered.MoveToImmutable();
    }
}
