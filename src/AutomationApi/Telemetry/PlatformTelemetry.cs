using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Telemetry;

/// <summary>
/// The service's own traces and metrics: a span per operation run, and operation duration by kind and outcome, queue
/// depth and engine failures by class. Instruments exist only when telemetry is on (<see cref="TelemetryExtensions"/>);
/// the activity source costs nothing while no listener is attached.
/// </summary>
public sealed class PlatformTelemetry
{
    /// <summary>Name of the service's activity source and meter.</summary>
    public const string Name = "Platform.AutomationApi";

    /// <summary>The service's activity source: a span per operation run.</summary>
    public static ActivitySource Source { get; } = new(Name);

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _engineFailures;

    /// <summary>Creates the instruments; queue depth is read from the database when a reader collects it.</summary>
    /// <remarks>
    /// The database factory is resolved when first needed: the database's own options depend on this type (through
    /// <see cref="OperationTelemetryInterceptor"/>), so taking the factory here would be a dependency cycle.
    /// </remarks>
    public PlatformTelemetry(IMeterFactory meters, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(services);
        var meter = meters.Create(Name);
        _duration = meter.CreateHistogram<double>("platform.operation.duration", "s",
            "Time from queuing an operation to its outcome, by kind (create, update, ...) and outcome (succeeded, failed, ...).");
        _engineFailures = meter.CreateCounter<long>("platform.engine.failures", "{failure}",
            "Engine failures by class (the operation error code, e.g. stack-locked, plugin-unavailable, rollout-failed) and whether they were retried.");
        meter.CreateObservableGauge("platform.operation.queue.depth", () =>
        {
            using var db = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext();
            return db.Operations.LongCount(o => o.State == OperationState.Queued);
        }, "{operation}", "Operations waiting for their environment or a worker slot.");
    }

    /// <summary>Records a finished operation.</summary>
    public void OperationFinished(StackOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var kind = operation.Kind.ToString().ToLowerInvariant();
        var outcome = operation.State.ToString().ToLowerInvariant();
        if (operation.FinishedAt is { } finished)
        {
            _duration.Record((finished - operation.CreatedAt).TotalSeconds,
                new KeyValuePair<string, object?>("platform.operation.kind", kind),
                new KeyValuePair<string, object?>("platform.operation.outcome", outcome));
        }

        if (operation.State == OperationState.Failed)
        {
            EngineFailed(operation.ErrorCode ?? "unknown", retried: false);
        }
    }

    /// <summary>Records an engine failure of a class (an error code); <paramref name="retried"/> for transient ones.</summary>
    public void EngineFailed(string errorClass, bool retried) =>
        _engineFailures.Add(1,
            new KeyValuePair<string, object?>("error.type", errorClass),
            new KeyValuePair<string, object?>("platform.engine.retried", retried));
}
