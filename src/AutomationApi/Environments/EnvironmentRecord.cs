using Platform.Components.Specs;

namespace Platform.AutomationApi.Environments;

/// <summary>Where an environment is in its life.</summary>
public enum EnvironmentStatus
{
    /// <summary>The first deployment is queued or running.</summary>
    Creating,

    /// <summary>The last deployment succeeded.</summary>
    Ready,

    /// <summary>An update is queued or running.</summary>
    Updating,

    /// <summary>The last deployment failed; the environment may be partly deployed.</summary>
    Failed,

    /// <summary>A destroy is queued or running.</summary>
    Destroying,

    /// <summary>Destroyed; the record and its history are kept. Final: nothing moves an environment out of it.</summary>
    Destroyed,

    /// <summary>
    /// A cancelled or timed-out deployment stopped part-way: some of its changes were applied. A refresh or the next
    /// update settles it.
    /// </summary>
    Partial,

    /// <summary>
    /// The engine was killed with resource operations in flight: its checkpoint may hold pending operations (listed on
    /// the operation). The next refresh repairs it (with <c>--clear-pending-creates</c>), and every other deployment
    /// runs that repair first.
    /// </summary>
    NeedsRepair,
}

/// <summary>A stored environment: its current spec, state and the results of its last deployment.</summary>
public sealed class EnvironmentRecord
{
    /// <summary>Unique id of this incarnation (a destroyed name can be reused by a new environment).</summary>
    public required string Id { get; set; }

    /// <summary>The environment's name (unique among live environments).</summary>
    public required string Name { get; set; }

    /// <summary>Owning team.</summary>
    public required string Team { get; set; }

    /// <summary>Tier.</summary>
    public required Tier Tier { get; set; }

    /// <summary>Deployment target name.</summary>
    public required string Target { get; set; }

    private EnvironmentStatus _status;

    /// <summary>
    /// Status. <see cref="EnvironmentStatus.Destroyed"/> is final: once destroyed, setting any other status keeps it
    /// destroyed, so no late outcome (a cancelled operation queued behind the destroy, a retried destroy) brings a
    /// destroyed record back — or collides with a new environment of the same name on the live-name index.
    /// </summary>
    public EnvironmentStatus Status
    {
        get => _status;
        set => _status = _status == EnvironmentStatus.Destroyed ? EnvironmentStatus.Destroyed : value;
    }

    /// <summary>
    /// Pending operations (JSON) a killed engine left in the stack's checkpoint, while they await the repair refresh;
    /// <see langword="null"/> when the stack needs no repair.
    /// </summary>
    public string? PendingOperationsJson { get; set; }

    /// <summary>The spec as submitted (JSON or YAML), encrypted by <see cref="Storage.SpecProtector"/>: it holds secret values.</summary>
    public required string SpecText { get; set; }

    /// <summary>Plan summary (JSON).</summary>
    public string? PlanSummaryJson { get; set; }

    /// <summary>Estimated monthly cost of the deployed plan (JSON).</summary>
    public string? CostJson { get; set; }

    /// <summary>Stack outputs (JSON) with secret values masked.</summary>
    public string? OutputsJson { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the reaper destroys it; <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it was destroyed.</summary>
    public DateTimeOffset? DestroyedAt { get; set; }

    /// <summary>The most recent create, update or destroy: the operation whose outcome decides <see cref="Status"/>.</summary>
    public string? LastOperationId { get; set; }

    /// <summary>Optimistic concurrency token, changed on every write.</summary>
    public Guid Version { get; set; }

    /// <summary>Whether the environment still exists (or is on its way).</summary>
    public bool IsLive => Status != EnvironmentStatus.Destroyed;
}
