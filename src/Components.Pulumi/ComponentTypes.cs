using Platform.Components.Planning;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>The component type tokens of the golden paths, and the component class each becomes.</summary>
public static class ComponentTypes
{
    /// <summary>The environment: namespace baseline and providers (<see cref="PlatformEnvironment"/>).</summary>
    public const string Environment = PlanComponent.EnvironmentType;

    /// <summary>A web service (<see cref="Pulumi.WebService"/>).</summary>
    public const string WebService = "platform:kubernetes:WebService";

    /// <summary>A worker (<see cref="Pulumi.Worker"/>).</summary>
    public const string Worker = "platform:kubernetes:Worker";

    /// <summary>A cron job (<see cref="Pulumi.CronJob"/>).</summary>
    public const string CronJob = "platform:kubernetes:CronJob";

    // The resource kinds' own tokens (ResourceKind.ComponentType; the kind types are internal to Platform.Components):
    // ComponentTypesTests holds these equal to the registry's.

    /// <summary>A PostgreSQL database (<see cref="Pulumi.PostgresDatabase"/>).</summary>
    public const string PostgresDatabase = "platform:aws:PostgresDatabase";

    /// <summary>A bucket (<see cref="Pulumi.Bucket"/>).</summary>
    public const string Bucket = "platform:aws:Bucket";

    /// <summary>A queue (<see cref="Pulumi.Queue"/>).</summary>
    public const string Queue = "platform:aws:Queue";

    /// <summary>
    /// The component for a plan component. Resource kinds without a typed class here (any kind in
    /// <see cref="Resources.ResourceKinds"/> added since, e.g. <c>cache</c>) get a plain <see cref="PlatformComponent"/>
    /// with the kind's own type token, so a new kind needs no change in this package.
    /// </summary>
    internal static PlatformComponent Create(PlanComponent component, ComponentResourceOptions options) => component.Type switch
    {
        WebService => new WebService(component.Name, options),
        Worker => new Worker(component.Name, options),
        CronJob => new CronJob(component.Name, options),
        PostgresDatabase => new PostgresDatabase(component.Name, options),
        Bucket => new Bucket(component.Name, options),
        Queue => new Queue(component.Name, options),
        _ => new PlatformComponent(component.Type, component.Name, options),
    };
}
