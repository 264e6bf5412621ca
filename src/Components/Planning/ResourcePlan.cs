using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Planning;

/// <summary>
/// The Pulumi-free heart of Platform: every resource an environment needs, with its Pulumi type token, inputs,
/// references and options, in a deterministic order. Back-ends (the YAML renderer, the Pulumi .NET binding)
/// translate a plan; they decide nothing themselves.
/// </summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Tier">The environment's tier.</param>
/// <param name="Target">The deployment target the plan was compiled for.</param>
/// <param name="Components">Logical groupings (one per service, resource and the environment itself).</param>
/// <param name="Resources">Every resource, providers first, in creation-friendly order.</param>
/// <param name="Config">Stack config entries the program declares.</param>
/// <param name="Outputs">The environment's outputs.</param>
/// <param name="StackConfig">Values of the config entries for this environment's stack (from the target and the spec's secrets).</param>
public sealed record ResourcePlan(
    string Environment,
    Tier Tier,
    string Target,
    ImmutableArray<PlanComponent> Components,
    ImmutableArray<PlannedResource> Resources,
    ImmutableArray<PlanConfigEntry> Config,
    ImmutableArray<PlanOutput> Outputs,
    ImmutableSortedDictionary<string, StackConfigValue> StackConfig)
{
    /// <summary>The resource with the given logical name.</summary>
    /// <exception cref="KeyNotFoundException">No such resource.</exception>
    public PlannedResource this[string name] =>
        PlanIndex.Of(this).ByName.GetValueOrDefault(name) ?? throw new KeyNotFoundException($"The plan has no resource '{name}'.");

    /// <summary>Resources of one component.</summary>
    public IEnumerable<PlannedResource> ResourcesOf(string component) => Resources.Where(r => r.Component == component);

    /// <summary>Resources of one type token.</summary>
    public IEnumerable<PlannedResource> OfType(string type) => PlanIndex.Of(this).OfType(type);

    /// <summary>
    /// Plain config keys the plan declares with neither a default nor a value for this stack (e.g. <c>vpcId</c> on a
    /// target that names no VPC): the target lacks them, so the stack must set them. In declaration order.
    /// </summary>
    public ImmutableArray<string> UnsetConfigKeys =>
        [.. Config.Where(c => !c.Secret && c.Default is null && !StackConfig.ContainsKey(c.Key)).Select(c => c.Key)];
}

/// <summary>One resource in a plan.</summary>
/// <param name="Name">Logical name, unique in the plan (the Pulumi resource name).</param>
/// <param name="Type">Pulumi type token, e.g. <c>kubernetes:apps/v1:Deployment</c>.</param>
/// <param name="Inputs">Input properties with the provider's exact names.</param>
/// <param name="Options">Resource options.</param>
/// <param name="Component">The component this resource belongs to, or <see langword="null"/> for providers.</param>
public sealed record PlannedResource(
    string Name,
    string Type,
    PlanValue.Map Inputs,
    PlanResourceOptions Options,
    string? Component)
{
    /// <summary>Whether this is an explicit provider (<c>pulumi:providers:*</c>).</summary>
    public bool IsProvider => Type.StartsWith("pulumi:providers:", StringComparison.Ordinal);

    /// <summary>Every resource this one needs first: references in its inputs plus explicit dependencies and its provider.</summary>
    public IEnumerable<string> Dependencies =>
        Inputs.ReferencedResources()
            .Concat(Options.DependsOn)
            .Concat(Options.Provider is { } p ? [p] : [])
            .Distinct(StringComparer.Ordinal);
}

/// <summary>Pulumi resource options carried by a plan.</summary>
/// <param name="DependsOn">Logical names of resources that must exist first (beyond input references).</param>
/// <param name="Protect">Whether Pulumi refuses to delete the resource.</param>
/// <param name="Provider">Logical name of the explicit provider resource.</param>
/// <param name="Version">Provider plugin version (set on provider resources).</param>
/// <param name="AdditionalSecretOutputs">Output properties to treat as secret.</param>
/// <param name="DeleteBeforeReplace">Whether a replacement deletes the old resource first.</param>
/// <param name="IgnoreChanges">
/// Input property paths (Pulumi property-path syntax, e.g. <c>spec.replicas</c>) whose changes an update ignores: the
/// engine keeps the value the resource was last given (and drops the path if it had none); a create uses the planned
/// value.
/// </param>
public sealed record PlanResourceOptions(
    ImmutableArray<string> DependsOn,
    bool Protect,
    string? Provider,
    string? Version,
    ImmutableArray<string> AdditionalSecretOutputs,
    bool DeleteBeforeReplace,
    ImmutableArray<string> IgnoreChanges)
{
    /// <summary>No options.</summary>
    public static PlanResourceOptions None { get; } = new([], false, null, null, [], false, []);

    /// <summary>Options using the given provider.</summary>
    public static PlanResourceOptions WithProvider(string provider) => None with { Provider = provider };

    /// <inheritdoc />
    public bool Equals(PlanResourceOptions? other) =>
        other is not null && DependsOn.SequenceEqual(other.DependsOn) && Protect == other.Protect &&
        Provider == other.Provider && Version == other.Version &&
        AdditionalSecretOutputs.SequenceEqual(other.AdditionalSecretOutputs) && DeleteBeforeReplace == other.DeleteBeforeReplace &&
        IgnoreChanges.SequenceEqual(other.IgnoreChanges);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DependsOn.Length, Protect, Provider, Version, DeleteBeforeReplace);
}

/// <summary>A logical grouping of resources: what the Pulumi binding materialises as a <c>ComponentResource</c>.</summary>
/// <param name="Name">The service's or resource's name, or the environment's name for the environment component.</param>
/// <param name="Type">Component type token, e.g. <c>platform:kubernetes:WebService</c>.</param>
public sealed record PlanComponent(string Name, string Type)
{
    /// <summary>Type token of the environment-wide component (namespace, quota, baseline policy).</summary>
    public const string EnvironmentType = "platform:index:Environment";
}

/// <summary>A stack config entry the program declares.</summary>
/// <param name="Key">Config key, e.g. <c>vpcId</c>.</param>
/// <param name="Type">Pulumi YAML config type: <c>string</c>, <c>integer</c>, <c>boolean</c> or <c>List&lt;String&gt;</c>.</param>
/// <param name="Secret">Whether values must be set as secrets.</param>
/// <param name="Description">What the entry is for.</param>
/// <param name="Default">Default when the stack sets no value, or <see langword="null"/> when it must be set.</param>
public sealed record PlanConfigEntry(string Key, string Type, bool Secret, string Description, string? Default);

/// <summary>A config value for this environment's stack.</summary>
/// <param name="Value">The value (a JSON array for list entries).</param>
/// <param name="Secret">Whether to set it with <c>--secret</c>. Secret values are never printed.</param>
public sealed record StackConfigValue(string Value, bool Secret)
{
    /// <summary>Never prints a secret's value.</summary>
    public override string ToString() => Secret ? "[secret]" : Value;
}

/// <summary>An output of the environment.</summary>
/// <param name="Name">Output name, e.g. <c>apiUrl</c>.</param>
/// <param name="Value">Its value; secret values stay secret in stack outputs.</param>
/// <param name="Component">The component it describes.</param>
public sealed record PlanOutput(string Name, PlanValue Value, string? Component);
