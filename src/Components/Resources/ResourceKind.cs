using System.Collections.Immutable;
using Platform.Components.Costs.Prices;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Resources;

/// <summary>
/// One kind of managed resource (<c>postgres</c>, <c>bucket</c>, <c>queue</c>, …): everything Platform knows about
/// it lives in its own folder under <c>Resources/</c> — its spec fields and their validation, its tier settings, the
/// resources and outputs it plans, what it grants a service that <c>uses</c> it, its share of the guardrails, its
/// cost model and its component type. Every part of the pipeline asks the kinds in <see cref="ResourceKinds"/>
/// instead of testing for one kind, so a new kind is a new folder and a price entry.
/// </summary>
public abstract class ResourceKind : IResourcePlanning
{
    /// <summary>The kind as written in specs (<c>type: postgres</c>).</summary>
    public abstract string Name { get; }

    /// <summary>What the kind is, in one line (golden paths, README).</summary>
    public abstract string Description { get; }

    /// <summary>The Pulumi component type token grouping a resource of this kind (<c>platform:aws:Bucket</c>).</summary>
    public abstract string ComponentType { get; }

    /// <summary>Fields a resource of this kind accepts besides <c>name</c> and <c>type</c>.</summary>
    public virtual ImmutableArray<ResourceField> Fields => [];

    /// <summary>Settings the tier decides for this kind, one row per setting (README tier table, golden paths).</summary>
    public abstract ImmutableArray<TierSetting> TierSettings { get; }

    /// <summary>Where the kind sits in listings: the registry sorts by it, then by name.</summary>
    internal abstract int Order { get; }

    /// <summary>Whether the kind's plan generates secrets with the Random provider.</summary>
    internal virtual bool UsesRandomProvider => false;

    /// <summary>
    /// Whether the kind's resources live in the target's private network: they read the VPC, private subnets and
    /// the cluster's security group from stack config, so the target must name them.
    /// </summary>
    internal virtual bool UsesPrivateNetwork => false;

    /// <summary>Checks beyond each field's allowed values (which <see cref="SpecDocuments.SpecValidator"/> checks for every kind).</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="path">Its path in the spec, e.g. <c>spec.resources[0]</c>.</param>
    /// <param name="error">Reports an error: path, what is wrong, how to fix it.</param>
    internal virtual void Validate(ResourceSpec resource, string path, Action<string, string, string> error)
    {
    }

    /// <summary>Adds the resource's component, resources, connection details and outputs to the plan.</summary>
    internal abstract void Plan(PlanContext context, ResourceSpec resource);

    /// <summary>What using <paramref name="resource"/> grants a service: network egress, IAM statements, connection environment.</summary>
    internal abstract ResourceGrant Grant(PlanContext context, ResourceSpec resource);

    /// <summary>
    /// The monthly cost of one planned resource this kind prices, or <see langword="null"/> when the resource is not
    /// one it prices. Reads the resource's inputs, never the spec, so a plan altered after compiling is priced as it is.
    /// </summary>
    /// <param name="plan">The whole plan (some prices depend on related resources).</param>
    /// <param name="resource">The resource to price.</param>
    /// <param name="prices">The price table.</param>
    /// <param name="unpriced">Collects resources whose price the table lacks.</param>
    internal abstract (decimal Monthly, string Basis)? Cost(ResourcePlan plan, PlannedResource resource, PriceTable prices, List<string> unpriced);

    /// <summary>
    /// The planned resource types <see cref="Cost"/> prices: the cost estimate asks about resources of these types only
    /// (reading every resource of a large plan to ask was most of the estimate's time).
    /// </summary>
    internal abstract ImmutableArray<string> PricedTypes { get; }

    /// <summary>The AWS resource types this kind creates that carry the standard tags (guardrail PLT010).</summary>
    internal virtual ImmutableArray<string> TaggableTypes => [];

    /// <summary>
    /// What this kind's share of each guardrail requires, one sentence per rule it checks (by rule id): the rule's
    /// description states every kind's after its own, so a kind's guardrails are stated where they are checked
    /// (<see cref="Violations"/>), and no shared rule names a kind.
    /// </summary>
    internal virtual IEnumerable<(string RuleId, string Requires)> Guardrails => [];

    /// <summary>This kind's violations of a shared guardrail (by rule id); none by default.</summary>
    internal virtual IEnumerable<(string Resource, string Message)> Violations(string ruleId, ResourcePlan plan) => [];

    /// <summary>The spec value of one of this kind's fields, or its default.</summary>
    internal string? FieldValue(ResourceSpec resource, string field) =>
        resource.Fields.TryGetValue(field, out var value) ? value : Fields.FirstOrDefault(f => f.Name == field)?.Default;

    /// <inheritdoc />
    public override string ToString() => Name;

    bool IResourcePlanning.UsesRandomProvider => UsesRandomProvider;

    ResourceGrant IResourcePlanning.Grant(PlanContext context, ResourceSpec resource) => Grant(context, resource);
}

/// <summary>A field a resource kind accepts in specs.</summary>
/// <param name="Name">The field as written in specs, e.g. <c>size</c>.</param>
/// <param name="Meaning">What it does, for the README and golden paths.</param>
/// <param name="Values">The values it accepts; empty when the kind checks values itself.</param>
/// <param name="Default">The value when the spec names none, or <see langword="null"/>.</param>
/// <param name="IsFlag">Whether it is written as <c>true</c>/<c>false</c>.</param>
public sealed record ResourceField(string Name, string Meaning, ImmutableArray<string> Values, string? Default, bool IsFlag = false)
{
    /// <summary>A choice among fixed values.</summary>
    public static ResourceField Choice(string name, string meaning, ImmutableArray<string> values, string defaultValue) =>
        new(name, meaning, values, defaultValue);

    /// <summary>A <c>true</c>/<c>false</c> field that is off unless set.</summary>
    public static ResourceField Flag(string name, string meaning) => new(name, meaning, ["true", "false"], "false", IsFlag: true);

    /// <summary>The accepted values and default, e.g. <c>small | medium | large; default small</c>.</summary>
    public string Summary => string.Join(" | ", Values) + (Default is null ? "" : $"; default {Default}");

    /// <inheritdoc />
    public bool Equals(ResourceField? other) =>
        other is not null && Name == other.Name && Meaning == other.Meaning && Values.SequenceEqual(other.Values) &&
        Default == other.Default && IsFlag == other.IsFlag;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Meaning, Values.Length, Default, IsFlag);
}

/// <summary>One tier-dependent setting of a resource kind, with its value in each tier.</summary>
/// <param name="Name">The setting, as the README's tier table names it.</param>
/// <param name="Dev">Its value in dev.</param>
/// <param name="Staging">Its value in staging.</param>
/// <param name="Prod">Its value in prod.</param>
public sealed record TierSetting(string Name, string Dev, string Staging, string Prod)
{
    /// <summary>The value in <paramref name="tier"/>.</summary>
    public string For(Tier tier) => tier switch
    {
        Tier.Dev => Dev,
        Tier.Staging => Staging,
        _ => Prod,
    };

    /// <summary>A row whose values come from a per-tier settings record.</summary>
    internal static TierSetting From<T>(string name, Func<Tier, T> settings, Func<T, string> value) =>
        new(name, value(settings(Tier.Dev)), value(settings(Tier.Staging)), value(settings(Tier.Prod)));
}
