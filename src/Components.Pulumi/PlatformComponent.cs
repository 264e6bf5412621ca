using System.Collections.Immutable;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// One part of an environment's plan (a service or a managed resource), materialised as a component resource whose
/// children are the part's resources. Created by <see cref="PlatformEnvironment"/>; read it through
/// <see cref="PlatformEnvironment.Components"/> or the typed accessors such as <see cref="PlatformEnvironment.WebService"/>.
/// </summary>
public class PlatformComponent : ComponentResource
{
    internal PlatformComponent(string type, string name, ComponentResourceOptions options)
        : base(type, name, options)
    {
        ComponentName = name;
    }

    /// <summary>The service's or resource's name in the spec.</summary>
    public string ComponentName { get; }

    /// <summary>The component's resources, by logical name (the names the YAML program uses too).</summary>
    public ImmutableDictionary<string, CustomResource> Resources { get; private set; } = ImmutableDictionary<string, CustomResource>.Empty;

    /// <summary>The environment outputs that describe this component, by output name; secret where the plan says so.</summary>
    public ImmutableDictionary<string, Output<object?>> Outputs { get; private set; } = ImmutableDictionary<string, Output<object?>>.Empty;

    /// <summary>Records the children and registers the outputs: the last step of the component.</summary>
    internal void Complete(ImmutableDictionary<string, CustomResource> resources, ImmutableDictionary<string, Output<object?>> outputs)
    {
        Resources = resources;
        Outputs = outputs;
        RegisterOutputs(outputs.ToDictionary(o => o.Key, o => (object?)o.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// The text of the output whose name ends with one of <paramref name="suffixes"/> (tried in order), or
    /// <see langword="null"/> when the plan gives this component no such output. Secret outputs stay secret.
    /// </summary>
    private protected Output<string>? TextOutput(params string[] suffixes) =>
        FindOutput(suffixes)?.Apply(PlanInputConverter.Stringify);

    /// <summary>
    /// The output whose name ends with one of <paramref name="suffixes"/>. A component's outputs share its name as
    /// their prefix, so the shortest match is the one named <c>&lt;component&gt;&lt;suffix&gt;</c>
    /// (<c>eventsQueueUrl</c>, not <c>eventsDeadLetterQueueUrl</c>).
    /// </summary>
    private protected Output<object?>? FindOutput(params string[] suffixes) =>
        suffixes
            .Select(suffix => Outputs
                .Where(o => o.Key.EndsWith(suffix, StringComparison.Ordinal))
                .OrderBy(o => o.Key.Length)
                .ThenBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => o.Value)
                .FirstOrDefault())
            .FirstOrDefault(o => o is not null);
}

/// <summary>A <c>web</c> service: Deployment, Service, Ingress, autoscaling and policies (<c>platform:kubernetes:WebService</c>).</summary>
public sealed class WebService : PlatformComponent
{
    internal WebService(string name, ComponentResourceOptions options)
        : base(ComponentTypes.WebService, name, options)
    {
    }

    /// <summary>The public URL (<c>https://host.environment.baseDomain</c>), or <see langword="null"/> when the service has no host.</summary>
    public Output<string>? Url => TextOutput("Url");
}

/// <summary>A <c>worker</c> service: a Deployment with no inbound traffic (<c>platform:kubernetes:Worker</c>).</summary>
public sealed class Worker : PlatformComponent
{
    internal Worker(string name, ComponentResourceOptions options)
        : base(ComponentTypes.Worker, name, options)
    {
    }
}

/// <summary>A <c>cron</c> service: a Kubernetes CronJob (<c>platform:kubernetes:CronJob</c>).</summary>
public sealed class CronJob : PlatformComponent
{
    internal CronJob(string name, ComponentResourceOptions options)
        : base(ComponentTypes.CronJob, name, options)
    {
    }
}

/// <summary>A PostgreSQL database on AWS RDS with its connection secret (<c>platform:aws:PostgresDatabase</c>).</summary>
public sealed class PostgresDatabase : PlatformComponent
{
    internal PostgresDatabase(string name, ComponentResourceOptions options)
        : base(ComponentTypes.PostgresDatabase, name, options)
    {
    }

    /// <summary>The database's host name, or <see langword="null"/> when the plan has no endpoint output.</summary>
    public Output<string>? Endpoint => TextOutput("Endpoint");

    /// <summary>The database's port, or <see langword="null"/> when the plan has no port output.</summary>
    public Output<int>? Port => FindOutput("Port")?.Apply(port => Convert.ToInt32(port, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The master password (a secret output), or <see langword="null"/> when the plan generates none. Services
    /// receive it through <see cref="ConnectionSecretName"/>; this is for tooling such as migrations.
    /// </summary>
    public Output<string>? Password =>
        Resources.Values.FirstOrDefault(r => r.GetResourceType() == Aws.AwsTypes.RandomPassword) is { } password
            ? Output.CreateSecret(PlanResources.Output(password, "result").Apply(PlanInputConverter.Stringify))
            : null;

    /// <summary>
    /// Name of the Kubernetes Secret in the environment's namespace holding the connection details (host, port, user,
    /// password); services that use the database load it as environment variables. Pulumi names it
    /// (<c>&lt;database&gt;-connection-</c> and a random suffix) and a new name comes with new connection details, so
    /// it is read from the plan's <c>&lt;database&gt;ConnectionSecret</c> output.
    /// </summary>
    /// <exception cref="InvalidOperationException">The plan has no such output (every database's plan has one).</exception>
    public Output<string> ConnectionSecretName => TextOutput("ConnectionSecret")
        ?? throw new InvalidOperationException($"The plan of database '{ComponentName}' has no connection-secret output.");
}

/// <summary>An S3 bucket with versioning, encryption and no public access (<c>platform:aws:Bucket</c>).</summary>
public sealed class Bucket : PlatformComponent
{
    internal Bucket(string name, ComponentResourceOptions options)
        : base(ComponentTypes.Bucket, name, options)
    {
    }

    /// <summary>The bucket's name, or <see langword="null"/> when the plan has no bucket-name output.</summary>
    public Output<string>? BucketName => TextOutput("Bucket");
}

/// <summary>An SQS queue with its dead-letter queue (<c>platform:aws:Queue</c>).</summary>
public sealed class Queue : PlatformComponent
{
    internal Queue(string name, ComponentResourceOptions options)
        : base(ComponentTypes.Queue, name, options)
    {
    }

    /// <summary>The queue's URL, or <see langword="null"/> when the plan has no queue-URL output.</summary>
    public Output<string>? QueueUrl => TextOutput("QueueUrl");

    /// <summary>The dead-letter queue's URL, or <see langword="null"/> when the plan has no such output.</summary>
    public Output<string>? DeadLetterQueueUrl => TextOutput("DeadLetterQueueUrl");
}
