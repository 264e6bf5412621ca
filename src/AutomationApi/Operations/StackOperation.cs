using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>What an operation does to an environment's stack.</summary>
public enum OperationKind
{
    /// <summary>First deployment (<c>pulumi up</c>).</summary>
    Create,

    /// <summary>Deployment of a new spec (<c>pulumi up</c>).</summary>
    Update,

    /// <summary>Tear down (<c>pulumi destroy</c>).</summary>
    Destroy,

    /// <summary>What would change (<c>pulumi preview</c>).</summary>
    Preview,

    /// <summary>Drift check (<c>pulumi refresh</c>).</summary>
    Refresh,
}

/// <summary>Operation states: queued → running → succeeded | failed | cancelled | interrupted.</summary>
public enum OperationState
{
    /// <summary>Waiting for its environment and a worker slot.</summary>
    Queued,

    /// <summary>The engine is running it.</summary>
    Running,

    /// <summary>Done.</summary>
    Succeeded,

    /// <summary>The engine reported an error (see the operation's error).</summary>
    Failed,

    /// <summary>Cancelled by a caller.</summary>
    Cancelled,

    /// <summary>The service stopped while it ran; recovery refreshed the stack and queued it again.</summary>
    Interrupted,
}

/// <summary>
/// A stored, durable change to an environment, processed by the <see cref="OperationWorker"/>. Its state moves only
/// through the transitions below (start, cancel, finish, interrupt), which refuse what its state does not allow with
/// an <see cref="IllegalTransitionException"/>: queued → running → succeeded | failed | cancelled | interrupted, or
/// queued → cancelled.
/// </summary>
public sealed class StackOperation : IVersioned
{
    /// <summary>Id (also used in URLs).</summary>
    public required string Id { get; set; }

    /// <summary>Queue order (assigned from a clock-independent counter).</summary>
    public long Sequence { get; set; }

    /// <summary>The environment's name.</summary>
    public required string EnvironmentName { get; set; }

    /// <summary>The environment incarnation.</summary>
    public required string EnvironmentId { get; set; }

    /// <summary>Kind.</summary>
    public OperationKind Kind { get; set; }

    /// <summary>State.</summary>
    public OperationState State { get; set; }

    /// <summary>The spec to apply (create, update, preview), encrypted by <see cref="Storage.SpecProtector"/>; never returned.</summary>
    public string? SpecText { get; set; }

    /// <summary>Who asked: <c>api</c>, <c>reaper</c> or <c>recovery</c>.</summary>
    public string Origin { get; set; } = "api";

    /// <summary>
    /// The caller whose request queued it (<c>key:&lt;id&gt;</c> or <c>oidc:&lt;subject&gt;</c>); a recovery re-run keeps
    /// the interrupted operation's. <see langword="null"/> for work the service queued itself (the reaper, recovery's refresh).
    /// </summary>
    public string? Actor { get; set; }

    /// <summary>The interrupted operation this one re-runs or prepares, when queued by recovery.</summary>
    public string? RecoveryOf { get; set; }

    /// <summary>The operation that re-runs this one after it was interrupted.</summary>
    public string? RetriedAs { get; set; }

    /// <summary>Queue priority: recovery work (0) runs before ordinary work (1) of the same environment.</summary>
    public int Priority { get; set; } = 1;

    /// <summary>When it was queued.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the engine started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Runs of the operation's engine command (<c>up</c>, <c>destroy</c>, ...), retries of transient failures included.</summary>
    public int Attempts { get; set; }

    /// <summary>Machine-readable error code when failed, cancelled or interrupted.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>Error message (secrets redacted).</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>Result document (JSON), e.g. a preview's changes.</summary>
    public string? ResultJson { get; set; }

    /// <summary>A cancel was requested.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>
    /// A destroy asked to go ahead despite protected resources (<c>DELETE ...?force=true</c>): they are unprotected
    /// first, and the operation's events record which.
    /// </summary>
    public bool Force { get; set; }

    /// <summary>A force-cancel was requested: the engine is killed at once (whichever replica runs it).</summary>
    public bool KillRequested { get; set; }

    /// <summary>The replica holding the operation while it runs (<see cref="PlatformReplicaOptions.Id"/>).</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>
    /// When the lease runs out unless renewed: after it, the replica is taken for dead and another one recovers the operation.
    /// </summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Optimistic concurrency token.</summary>
    public Guid Version { get; set; }

    /// <summary>Whether the operation reached a final state.</summary>
    public bool IsFinished => IsFinal(State);

    /// <summary>Whether <paramref name="state"/> is final.</summary>
    /// <param name="state">A state.</param>
    public static bool IsFinal(OperationState state) =>
        state is OperationState.Succeeded or OperationState.Failed or OperationState.Cancelled or OperationState.Interrupted;

    /// <summary>The engine starts on it.</summary>
    /// <param name="now">When.</param>
    /// <exception cref="IllegalTransitionException">It is not queued.</exception>
    public void Start(DateTimeOffset now)
    {
        if (State != OperationState.Queued)
        {
            throw new IllegalTransitionException("Operation not queued", $"Operation '{Id}' is {Describe(State)}; only a queued operation starts.");
        }

        State = OperationState.Running;
        StartedAt = now;
    }

    /// <summary>
    /// A replica claims it: it starts, held by <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/>
    /// unless renewed.
    /// </summary>
    /// <param name="owner">The replica.</param>
    /// <param name="now">When.</param>
    /// <param name="lease">How long the lease lasts.</param>
    /// <exception cref="IllegalTransitionException">It is not queued.</exception>
    public void Claim(string owner, DateTimeOffset now, TimeSpan lease)
    {
        Start(now);
        LeaseOwner = owner;
        LeaseExpiresAt = now + lease;
    }

    /// <summary>Whether its lease ran out by <paramref name="now"/> (or it has none: a row from before leases).</summary>
    /// <param name="now">When.</param>
    public bool LeaseExpired(DateTimeOffset now) => LeaseExpiresAt is not { } expires || expires <= now;

    /// <summary>
    /// A replica takes over a running operation whose holder's lease ran out, to recover it; the lease then keeps
    /// other replicas off while it does.
    /// </summary>
    /// <param name="owner">The recovering replica.</param>
    /// <param name="now">When.</param>
    /// <param name="lease">How long the lease lasts.</param>
    /// <exception cref="IllegalTransitionException">It is not running, or its lease is still live.</exception>
    public void TakeOver(string owner, DateTimeOffset now, TimeSpan lease)
    {
        if (State != OperationState.Running || (!LeaseExpired(now) && LeaseOwner != owner))
        {
            throw new IllegalTransitionException("Operation leased", $"Operation '{Id}' is {Describe(State)} and held by replica '{LeaseOwner}' until {LeaseExpiresAt:O}.");
        }

        LeaseOwner = owner;
        LeaseExpiresAt = now + lease;
    }

    /// <summary>
    /// A caller asks to cancel it: a queued operation is cancelled at once (returns <see langword="true"/>); a running
    /// one is marked, and the engine running it is interrupted by whoever runs it (returns <see langword="false"/>).
    /// </summary>
    /// <param name="now">When.</param>
    /// <param name="force">Whether the engine is to be killed at once.</param>
    /// <exception cref="IllegalTransitionException">It already finished.</exception>
    public bool RequestCancel(DateTimeOffset now, bool force = false)
    {
        if (IsFinished)
        {
            throw new IllegalTransitionException("Operation already finished",
                $"Operation '{Id}' is {Describe(State)}; there is nothing to cancel.");
        }

        CancelRequested = true;
        KillRequested |= force;
        if (State != OperationState.Queued)
        {
            return false;
        }

        Finish(OperationState.Cancelled, Attempts, Engine.EngineErrorCodes.Cancelled, "Cancelled on request before it started.", null, now);
        return true;
    }

    /// <summary>Records its outcome.</summary>
    /// <param name="state">A final state.</param>
    /// <param name="attempts">Runs of its engine command.</param>
    /// <param name="errorCode">Error code, unless it succeeded.</param>
    /// <param name="errorMessage">Error message (secrets redacted), unless it succeeded.</param>
    /// <param name="resultJson">Result document (JSON).</param>
    /// <param name="now">When.</param>
    /// <exception cref="IllegalTransitionException">It already finished.</exception>
    public void Finish(OperationState state, int attempts, string? errorCode, string? errorMessage, string? resultJson, DateTimeOffset now)
    {
        if (!IsFinal(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "An operation finishes in a final state.");
        }

        if (IsFinished)
        {
            throw new IllegalTransitionException("Operation already finished", $"Operation '{Id}' is already {Describe(State)}.");
        }

        State = state;
        FinishedAt = now;
        Attempts = attempts;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        ResultJson = resultJson;
    }

    /// <summary>The service stopped while it ran: it ends <c>interrupted</c>, re-run as <paramref name="rerun"/>.</summary>
    /// <param name="rerun">The operation that runs it again.</param>
    /// <param name="message">What happened and what was queued.</param>
    /// <param name="now">When.</param>
    /// <exception cref="IllegalTransitionException">It is not running.</exception>
    public void Interrupt(string rerun, string message, DateTimeOffset now)
    {
        if (State != OperationState.Running)
        {
            throw new IllegalTransitionException("Operation not running", $"Operation '{Id}' is {Describe(State)}; only a running operation is interrupted.");
        }

        Finish(OperationState.Interrupted, Attempts, Engine.EngineErrorCodes.Interrupted, message, ResultJson, now);
        RetriedAs = rerun;
    }

    private static string Describe(OperationState state) => state.ToString().ToLowerInvariant();
}

/// <summary>One progress event of an operation (resource step, diagnostic, summary), streamed over SSE.</summary>
public sealed class OperationEvent
{
    /// <summary>Row id.</summary>
    public long Id { get; set; }

    /// <summary>The operation.</summary>
    public required string OperationId { get; set; }

    /// <summary>1-based position in the operation's stream (the SSE event id).</summary>
    public int Sequence { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Event type: <c>state</c>, <c>step</c>, <c>diagnostic</c>, <c>summary</c>, <c>retry</c>...</summary>
    public required string Type { get; set; }

    /// <summary>Human-readable message (secrets redacted).</summary>
    public string? Message { get; set; }

    /// <summary>Resource URN, for resource events.</summary>
    public string? Urn { get; set; }

    /// <summary>Step operation (<c>create</c>, <c>update</c>, ...), severity or state.</summary>
    public string? Detail { get; set; }
}

/// <summary>An Idempotency-Key seen on a request and the operation it created.</summary>
public sealed class IdempotencyRecord
{
    /// <summary>The key, scoped by method and route.</summary>
    public required string Key { get; set; }

    /// <summary>SHA-256 of the request body.</summary>
    public required string RequestHash { get; set; }

    /// <summary>The operation created.</summary>
    public required string OperationId { get; set; }

    /// <summary>When it was stored.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The first answer's body (JSON) when it held more than the operation (a deployment's plan diff and images), so
    /// a replay answers the same; <see langword="null"/> otherwise.
    /// </summary>
    public string? ResponseJson { get; set; }
}
