using System.Collections.Immutable;
using Platform.Components.Planning;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// Turns a resource plan into Pulumi resources under an environment component, deciding nothing the plan has not:
/// one component resource per plan component, one provider or custom resource per plan resource (created by type
/// token with dictionary args, in the plan's order so every dependency exists first), and the plan's outputs.
/// </summary>
internal sealed class PlanMaterializer
{
    private const string ProviderTypePrefix = "pulumi:providers:";

    private readonly ComponentResource _environment;
    private readonly ResourcePlan _plan;
    private readonly ImmutableDictionary<string, ProviderResource> _explicitProviders;
    private readonly PlanInputConverter _converter;
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderResource> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PlatformComponent> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableDictionary<string, object?>> _inputs = new(StringComparer.Ordinal);

    private PlanMaterializer(ComponentResource environment, ResourcePlan plan, IEnumerable<ProviderResource> explicitProviders, Func<string, Output<object?>> config)
    {
        _environment = environment;
        _plan = plan;
        _explicitProviders = explicitProviders
            .GroupBy(Package, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        _converter = new PlanInputConverter(Reference, config);
    }

    /// <summary>Everything the plan became.</summary>
    /// <param name="Resources">Custom resources (not providers), by logical name.</param>
    /// <param name="Providers">The provider each plan provider resolved to (ours, or the user's for its package), by logical name.</param>
    /// <param name="Components">Child components, by name.</param>
    /// <param name="Outputs">Every plan output.</param>
    /// <param name="Inputs">The SDK inputs each resource was created with (for tests and diagnostics).</param>
    public sealed record Result(
        ImmutableDictionary<string, CustomResource> Resources,
        ImmutableDictionary<string, ProviderResource> Providers,
        ImmutableDictionary<string, PlatformComponent> Components,
        ImmutableDictionary<string, Output<object?>> Outputs,
        ImmutableDictionary<string, ImmutableDictionary<string, object?>> Inputs);

    /// <summary>
    /// Creates the plan's components and resources under <paramref name="environment"/> and completes each child
    /// component (registering its outputs). The caller registers the environment's outputs last.
    /// </summary>
    /// <param name="environment">The environment component, parent of everything created.</param>
    /// <param name="plan">The plan.</param>
    /// <param name="explicitProviders">Providers the user passed; a plan provider of the same package is not created and its resources use the user's.</param>
    /// <param name="config">Reads a stack config entry the plan declares.</param>
    public static Result Run(ComponentResource environment, ResourcePlan plan, IEnumerable<ProviderResource> explicitProviders, Func<string, Output<object?>> config)
    {
        var materializer = new PlanMaterializer(environment, plan, explicitProviders, config);
        return materializer.Run();
    }

    /// <summary>The package a provider serves (<c>pulumi:providers:aws</c> → <c>aws</c>).</summary>
    public static string Package(ProviderResource provider) => PackageOf(provider.GetResourceType());

    private static string PackageOf(string providerType) =>
        providerType.StartsWith(ProviderTypePrefix, StringComparison.Ordinal) ? providerType[ProviderTypePrefix.Length..] : providerType;

    private Result Run()
    {
        foreach (var component in _plan.Components.Where(c => !IsEnvironment(c)))
        {
            _components[component.Name] = ComponentTypes.Create(component, new ComponentResourceOptions { Parent = _environment });
        }

        var outputNames = OutputNamesByResource();
        foreach (var resource in _plan.Resources)
        {
            if (resource.IsProvider)
            {
                CreateProvider(resource);
            }
            else
            {
                CreateResource(resource, outputNames[resource.Name]);
            }
        }

        var outputs = _plan.Outputs.ToImmutableDictionary(o => o.Name, o => _converter.Resolve(o.Value), StringComparer.Ordinal);
        var custom = _resources.Where(r => r.Value is CustomResource and not ProviderResource)
            .ToImmutableDictionary(r => r.Key, r => (CustomResource)r.Value, StringComparer.Ordinal);

        // Each child component registers its outputs once all its resources exist; the environment goes last.
        foreach (var (name, component) in _components)
        {
            component.Complete(
                custom.Where(r => _plan[r.Key].Component == name).ToImmutableDictionary(StringComparer.Ordinal),
                _plan.Outputs.Where(o => o.Component == name).ToImmutableDictionary(o => o.Name, o => outputs[o.Name], StringComparer.Ordinal));
        }

        return new Result(
            custom,
            _providers.ToImmutableDictionary(StringComparer.Ordinal),
            _components.ToImmutableDictionary(StringComparer.Ordinal),
            outputs,
            _inputs.ToImmutableDictionary(StringComparer.Ordinal));
    }

    private bool IsEnvironment(PlanComponent component) =>
        component.Type == PlanComponent.EnvironmentType && component.Name == _plan.Environment;

    private void CreateProvider(PlannedResource resource)
    {
        var package = PackageOf(resource.Type);
        if (_explicitProviders.TryGetValue(package, out var explicitProvider))
        {
            _providers[resource.Name] = explicitProvider;
            _resources[resource.Name] = explicitProvider;
            return;
        }

        var inputs = _converter.Inputs(resource.Inputs);
        _inputs[resource.Name] = inputs;
        var provider = new ProviderResource(package, resource.Name, new DictionaryResourceArgs(inputs), Options(resource, version: resource.Options.Version));
        _providers[resource.Name] = provider;
        _resources[resource.Name] = provider;
    }

    private void CreateResource(PlannedResource resource, IEnumerable<string> outputNames)
    {
        ProviderResource? provider = null;
        string? version = resource.Options.Version;
        if (resource.Options.Provider is { } providerName)
        {
            provider = _providers[providerName];
            // Our own providers are pinned; a user's provider carries whatever version the user chose.
            version ??= _explicitProviders.ContainsValue(provider) ? null : _plan[providerName].Options.Version;
        }

        var inputs = _converter.Inputs(resource.Inputs);
        _inputs[resource.Name] = inputs;
        var options = Options(resource, version);
        options.Provider = provider;
        options.AdditionalSecretOutputs = [.. resource.Options.AdditionalSecretOutputs];
        options.DeleteBeforeReplace = resource.Options.DeleteBeforeReplace ? true : null;
        options.IgnoreChanges = [.. resource.Options.IgnoreChanges];
        _resources[resource.Name] = PlanResources.Create(resource.Type, resource.Name, new DictionaryResourceArgs(inputs), options, outputNames);
    }

    private CustomResourceOptions Options(PlannedResource resource, string? version) => new()
    {
        Parent = resource.Component is { } component && _components.TryGetValue(component, out var parent) ? parent : _environment,
        DependsOn = resource.Options.DependsOn.Select(d => _resources[d]).ToArray(),
        Protect = resource.Options.Protect ? true : null,
        Version = version,
    };

    private Output<object?> Reference(PlanValue.Reference reference)
    {
        var path = OutputPath.Parse(reference.Property);
        if (!_resources.TryGetValue(reference.Resource, out var resource) || resource is not CustomResource custom)
        {
            throw new InvalidOperationException($"'{reference.Resource}' is referenced before it exists; the plan's order puts dependencies first.");
        }

        return PlanResources.Output(custom, path.Property).Apply(path.Navigate);
    }

    // The top-level outputs the plan reads from each resource, so its Pulumi class can expose exactly those.
    private ILookup<string, string> OutputNamesByResource() =>
        _plan.Resources.SelectMany(r => r.Inputs.Walk())
            .Concat(_plan.Outputs.SelectMany(o => o.Value.Walk()))
            .OfType<PlanValue.Reference>()
            .Select(r => (r.Resource, OutputPath.Parse(r.Property).Property))
            .Distinct()
            .ToLookup(r => r.Resource, r => r.Property, StringComparer.Ordinal);
}
