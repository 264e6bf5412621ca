using System.Collections.Immutable;
using Platform.Components.Planning;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// A whole environment from its spec (<c>platform:index:Environment</c>): validates the spec, compiles the same
/// <see cref="ResourcePlan"/> the YAML renderer and the Automation API deploy through the same gates (a mandatory
/// guardrail violation, or a config key neither the target nor the stack sets, fails the program with the errors the
/// CLI and API report), and creates it: the plan's providers
/// (pinned versions), one child component per service and managed resource, and every plan resource by type token
/// with the plan's inputs, references, secrets and options.
/// <example>
/// <code>
/// var checkout = new PlatformEnvironment("checkout", new PlatformEnvironmentArgs { SpecPath = "checkout-staging.yaml" });
/// return new Dictionary&lt;string, object?&gt; { ["url"] = checkout.WebService("api").Url };
/// </code>
/// </example>
/// </summary>
/// <remarks>
/// Resource names are the plan's logical names (as in the YAML program), so one stack holds one environment.
/// Providers passed in <see cref="ComponentResourceOptions.Providers"/> (or <see cref="ResourceOptions.Provider"/>)
/// replace the plan's provider of the same package: the environment then creates no provider of its own for that
/// package, and the provider settings the plan would have applied (server-side apply, default tags, allowed account)
/// are the caller's to choose.
/// </remarks>
public sealed class PlatformEnvironment : ComponentResource
{
    private readonly PlanMaterializer.Result _result;

    /// <summary>Creates the environment.</summary>
    /// <param name="name">The component's name.</param>
    /// <param name="args">The spec and the target.</param>
    /// <param name="options">Component options; explicit providers here are honoured.</param>
    /// <exception cref="EnvironmentSpecException">The spec cannot be parsed or breaks a rule, or its plan is blocked by a gate.</exception>
    public PlatformEnvironment(string name, PlatformEnvironmentArgs args, ComponentResourceOptions? options = null)
        : this(name, Compile(args), options)
    {
    }

    /// <summary>Materialises an already compiled plan.</summary>
    internal PlatformEnvironment(string name, ResourcePlan plan, ComponentResourceOptions? options)
        : base(ComponentTypes.Environment, name, options)
    {
        Plan = plan;
        var config = PlanConfig.ForStack(Plan, new Config(), Deployment.Instance.ProjectName);
        _result = PlanMaterializer.Run(this, Plan, ExplicitProviders(options), config.Get);
        RegisterOutputs(_result.Outputs.ToDictionary(o => o.Key, o => (object?)o.Value, StringComparer.Ordinal));
    }

    /// <summary>The plan this environment materialises.</summary>
    public ResourcePlan Plan { get; }

    /// <summary>Every resource of the plan except providers, by logical name.</summary>
    public ImmutableDictionary<string, CustomResource> Resources => _result.Resources;

    /// <summary>The provider used for each of the plan's provider resources (ours, or the one passed in), by logical name.</summary>
    public ImmutableDictionary<string, ProviderResource> Providers => _result.Providers;

    /// <summary>The child components (services and managed resources), by name.</summary>
    public ImmutableDictionary<string, PlatformComponent> Components => _result.Components;

    /// <summary>The environment's outputs (the stack outputs of the platform stacks); secret where the plan says so.</summary>
    public ImmutableDictionary<string, Output<object?>> Outputs => _result.Outputs;

    /// <summary>The SDK inputs each created resource received, by logical name.</summary>
    internal ImmutableDictionary<string, ImmutableDictionary<string, object?>> Inputs => _result.Inputs;

    /// <summary>The web service <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no web service of that name.</exception>
    public WebService WebService(string name) => Component<WebService>(name);

    /// <summary>The worker <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no worker of that name.</exception>
    public Worker Worker(string name) => Component<Worker>(name);

    /// <summary>The cron job <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no cron job of that name.</exception>
    public CronJob CronJob(string name) => Component<CronJob>(name);

    /// <summary>The PostgreSQL database <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no database of that name.</exception>
    public PostgresDatabase PostgresDatabase(string name) => Component<PostgresDatabase>(name);

    /// <summary>The bucket <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no bucket of that name.</exception>
    public Bucket Bucket(string name) => Component<Bucket>(name);

    /// <summary>The queue <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The spec has no queue of that name.</exception>
    public Queue Queue(string name) => Component<Queue>(name);

    private T Component<T>(string name)
        where T : PlatformComponent =>
        Components.TryGetValue(name, out var component) && component is T typed
            ? typed
            : throw new KeyNotFoundException($"Environment '{Plan.Environment}' has no {typeof(T).Name} named '{name}'.");

    // Runs before the component registers, so an invalid spec or a blocked plan creates nothing.
    private static ResourcePlan Compile(PlatformEnvironmentArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var config = new Config();
        return args.Compile(key => config.Get(key) is not null).Plan!;
    }

    private static IEnumerable<ProviderResource> ExplicitProviders(ComponentResourceOptions? options) =>
        options is null ? [] : [.. options.Providers, .. options.Provider is { } single ? [single] : Array.Empty<ProviderResource>()];
}
