using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Tiers;

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

/// <summary>
/// A stored environment: its current spec, state and the results of its last deployment. Its state changes only
/// through the transitions below (begin an update or destroy, extend, apply an operation's outcome, restore after a
/// cancel), which refuse what the state does not allow with an <see cref="IllegalTransitionException"/>.
/// </summary>
public sealed class EnvironmentRecord : IVersioned
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

    /// <summary>
    /// The spec as responses show it: the <c>platform/v1</c> document (JSON) with every secret value masked. Kept with
    /// <see cref="SpecText"/> (see <see cref="SetSpec"/>) so a read serves it as stored, without decrypting and
    /// parsing the spec; <see langword="null"/> on rows stored before it existed, which are read the slow way.
    /// </summary>
    public string? SpecViewJson { get; set; }

    /// <summary>Plan summary (JSON).</summary>
    public string? PlanSummaryJson { get; set; }

    /// <summary>Estimated monthly cost of the deployed plan (JSON).</summary>
    public string? CostJson { get; set; }

    /// <summary>
    /// The estimated monthly cost of the spec it was last accepted with, when a team cost quota applied then (the
    /// deployed estimate, <see cref="CostJson"/>, comes only after the deployment); <see langword="null"/> otherwise.
    /// What <see cref="Quotas.TeamQuotas"/> counts for it until then.
    /// </summary>
    public decimal? AcceptedMonthlyCost { get; set; }

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

    /// <summary>A new environment, <c>creating</c>: its first deployment is about to be queued.</summary>
    /// <param name="spec">Its spec, parsed.</param>
    /// <param name="protectedText">The same spec's text, encrypted by <see cref="Storage.SpecProtector"/>.</param>
    /// <param name="now">When.</param>
    /// <param name="expiresAt">When the reaper destroys it (<see cref="EnvironmentExpiry.AtCreation"/>).</param>
    public static EnvironmentRecord Create(EnvironmentSpec spec, string protectedText, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(protectedText);
        return new EnvironmentRecord
        {
            Id = "env_" + Guid.CreateVersion7().ToString("N"),
            Name = spec.Name,
            Team = spec.Metadata.Team,
            Tier = spec.Tier,
            Target = spec.Target,
            Status = EnvironmentStatus.Creating,
            SpecText = protectedText,
            SpecViewJson = ViewOf(spec),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = expiresAt,
        };
    }

    /// <summary>Sets the spec: <paramref name="protectedText"/> as stored (encrypted) and its masked view for reads.</summary>
    /// <param name="protectedText">The spec text, encrypted by <see cref="Storage.SpecProtector"/>.</param>
    /// <param name="spec">The same spec, parsed.</param>
    public void SetSpec(string protectedText, EnvironmentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(protectedText);
        ArgumentNullException.ThrowIfNull(spec);
        SpecText = protectedText;
        SpecViewJson = ViewOf(spec);
    }

    /// <summary>The masked view of <paramref name="spec"/> that <see cref="SpecViewJson"/> holds.</summary>
    /// <param name="spec">The spec.</param>
    public static string ViewOf(EnvironmentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SpecWriter.ToDocument(spec).ToJsonString();
    }

    /// <summary>Whether the environment still exists (or is on its way).</summary>
    public bool IsLive => Status != EnvironmentStatus.Destroyed;

    /// <summary>An update (or deployment) was queued: a first deployment stays <c>creating</c>, anything else is <c>updating</c>.</summary>
    /// <param name="now">When.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed or is destroyed.</exception>
    public void BeginUpdate(DateTimeOffset now)
    {
        EnsureDeployable();
        Status = Status == EnvironmentStatus.Creating ? EnvironmentStatus.Creating : EnvironmentStatus.Updating;
        UpdatedAt = now;
    }

    /// <summary>A destroy was queued.</summary>
    /// <param name="now">When.</param>
    /// <exception cref="IllegalTransitionException">The environment is already destroyed.</exception>
    public void BeginDestroy(DateTimeOffset now)
    {
        if (Status == EnvironmentStatus.Destroyed)
        {
            throw new IllegalTransitionException("Environment is destroyed", $"Environment '{Name}' is already destroyed.");
        }

        Status = EnvironmentStatus.Destroying;
        UpdatedAt = now;
    }

    /// <summary>
    /// Pushes the expiry out to <paramref name="now"/> + <paramref name="ttl"/> (such as <c>48h</c> or <c>7d</c>), never
    /// earlier than it is, within the tier's maximum lifetime. Returns what is wrong with <paramref name="ttl"/>
    /// (nothing changed), or <see langword="null"/>.
    /// </summary>
    /// <param name="ttl">The wanted lifetime from now.</param>
    /// <param name="now">Now.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed or is destroyed.</exception>
    public string? Extend(string? ttl, DateTimeOffset now)
    {
        if (Status is EnvironmentStatus.Destroying or EnvironmentStatus.Destroyed)
        {
            throw new IllegalTransitionException("Environment is being destroyed",
                $"Environment '{Name}' is {Status.ToString().ToLowerInvariant()}; there is nothing left to extend.");
        }

        if (string.IsNullOrWhiteSpace(ttl))
        {
            return "Name the new lifetime from now in hours or days, e.g. {\"ttl\": \"48h\"} or 7d.";
        }

        if (!SpecParser.TryParseDuration(ttl, out var lifetime))
        {
            return $"'{ttl}' is not a duration. Use hours or days, e.g. 48h or 7d.";
        }

        if (lifetime <= TimeSpan.Zero)
        {
            return $"'{ttl}' is no lifetime. Give more than zero hours or days, e.g. 48h or 7d.";
        }

        var profile = TierProfile.For(Tier);
        if (profile.MaxTtl is not { } maxTtl)
        {
            return $"{Tier} environments never expire; there is nothing to extend.";
        }

        var latest = CreatedAt + maxTtl;
        if (lifetime > DateTimeOffset.MaxValue - now || now + lifetime > latest)
        {
            return $"{Tier} environments live at most {SpecParser.FormatDuration(maxTtl)}: this one can be extended to {latest:O} at the latest.";
        }

        // Extending only ever pushes the expiry out: a shorter ttl than what is left keeps the current expiry.
        var requested = now + lifetime;
        ExpiresAt = ExpiresAt is { } current && current > requested ? current : requested;
        UpdatedAt = now;
        return null;
    }

    /// <summary>A killed engine left pending operations in the stack's checkpoint: the next refresh must repair it.</summary>
    /// <param name="pendingJson">The pending operations (JSON).</param>
    /// <param name="now">When.</param>
    public void NeedsRepair(string pendingJson, DateTimeOffset now)
    {
        PendingOperationsJson = pendingJson;
        UpdatedAt = now;
    }

    /// <summary>
    /// Applies what an operation's outcome means for the environment. Destroyed is final: no outcome (a cancelled or
    /// failed operation queued behind the destroy, a retried destroy) brings the record back, and its name may belong
    /// to a new environment by now. Only the latest create, update or destroy decides the status.
    /// </summary>
    /// <param name="operation">The finished operation.</param>
    /// <param name="outcome">Its outcome.</param>
    /// <param name="previousDeployment">The state of the deployment before it, for an outcome refused before anything changed.</param>
    /// <param name="now">When.</param>
    public void ApplyOutcome(StackOperation operation, OperationOutcome outcome, OperationState? previousDeployment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!IsLive)
        {
            return;
        }

        var isLatest = LastOperationId == operation.Id;
        if (outcome.PendingJson is { } pending)
        {
            // A killed engine's checkpoint needs repair before the environment can be reported clean again.
            PendingOperationsJson = pending;
        }
        else if (outcome.Repaired && outcome.State == OperationState.Succeeded)
        {
            PendingOperationsJson = null;
        }

        if (outcome.State == OperationState.Succeeded)
        {
            switch (operation.Kind)
            {
                case OperationKind.Create or OperationKind.Update when outcome.Deployed is { } deployed:
                    SetSpec(deployed.SpecText, deployed.Spec);
                    Team = deployed.Spec.Metadata.Team;

                    // The deployed spec decides the expiry: promoted to prod it never expires, a new ttl moves it. A
                    // first deployment's ttl counts from the creation, as the create request already promised.
                    ExpiresAt = EnvironmentExpiry.AfterDeploy(deployed.Spec, Tier, ExpiresAt, operation.Kind == OperationKind.Create ? CreatedAt : now);
                    Tier = deployed.Spec.Tier;
                    PlanSummaryJson = deployed.PlanSummaryJson;
                    CostJson = deployed.CostJson;
                    OutputsJson = outcome.Outputs ?? OutputsJson;
                    Status = isLatest ? EnvironmentStatus.Ready : Status;
                    break;
                case OperationKind.Refresh:
                    // A drift check changes what the stack knows, not whether the last deployment succeeded; but it
                    // settles a partly applied or repaired stack: its state now matches the resources again.
                    OutputsJson = outcome.Outputs ?? OutputsJson;
                    if (Status is EnvironmentStatus.Partial or EnvironmentStatus.NeedsRepair)
                    {
                        Status = EnvironmentStatus.Ready;
                    }

                    break;
                case OperationKind.Destroy:
                    Status = EnvironmentStatus.Destroyed;
                    DestroyedAt = now;
                    OutputsJson = null;
                    break;
            }
        }
        else if (outcome.PendingJson is not null && (isLatest || !OperationQueue.DecidesStatus(operation.Kind)))
        {
            Status = EnvironmentStatus.NeedsRepair;
        }
        else if (operation.Kind is OperationKind.Create or OperationKind.Update or OperationKind.Destroy && isLatest)
        {
            Status = outcome switch
            {
                // Refused before the engine changed anything (e.g. a protected resource): as the last deployment left it.
                { NothingChanged: true } => previousDeployment == OperationState.Succeeded ? EnvironmentStatus.Ready : EnvironmentStatus.Failed,
                { Partial: true } => EnvironmentStatus.Partial,
                { State: OperationState.Cancelled } when operation.Kind != OperationKind.Create => EnvironmentStatus.Ready,
                _ => EnvironmentStatus.Failed,
            };
        }

        UpdatedAt = now;
    }

    /// <summary>
    /// A queued operation that decided the status was cancelled before it ran: the environment is again as the
    /// operation before it (<paramref name="previous"/>) left it — and a create cancelled before it ran deployed
    /// nothing, so the name is free again.
    /// </summary>
    /// <param name="cancelled">The cancelled operation.</param>
    /// <param name="previous">The latest other create, update, destroy or refresh, if any.</param>
    /// <param name="now">When.</param>
    public void RestoreAfterCancel(StackOperation cancelled, StackOperation? previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        if (LastOperationId != cancelled.Id || cancelled.Kind == OperationKind.Preview)
        {
            return;
        }

        Status = previous switch
        {
            null when cancelled.Kind == OperationKind.Create => EnvironmentStatus.Destroyed,
            null => EnvironmentStatus.Failed,
            { State: OperationState.Succeeded, Kind: OperationKind.Destroy } => EnvironmentStatus.Destroyed,
            { State: OperationState.Succeeded } => EnvironmentStatus.Ready,
            { State: OperationState.Queued or OperationState.Running, Kind: OperationKind.Create } => EnvironmentStatus.Creating,
            { State: OperationState.Queued or OperationState.Running, Kind: OperationKind.Destroy } => EnvironmentStatus.Destroying,
            { State: OperationState.Queued or OperationState.Running } => EnvironmentStatus.Updating,
            _ => EnvironmentStatus.Failed,
        };
        LastOperationId = previous?.Id ?? LastOperationId;
        UpdatedAt = now;
    }

    /// <summary>Refuses a deployment (update, deploy, promote, rollback) to an environment being destroyed or destroyed.</summary>
    /// <exception cref="IllegalTransitionException">It is.</exception>
    public void EnsureDeployable()
    {
        if (Status is EnvironmentStatus.Destroying or EnvironmentStatus.Destroyed)
        {
            throw new IllegalTransitionException("Environment is being destroyed",
                $"Environment '{Name}' is {(Status == EnvironmentStatus.Destroyed ? "destroyed" : "being destroyed")}; nothing can be deployed to it. " +
                "Create it again once the destroy finishes.");
        }
    }
}
