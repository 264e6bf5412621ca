using Platform.Components.Rendering;

namespace Platform.AutomationApi.Engine;

/// <summary>
/// What an operation needs of the engine that deploys an environment's stack: a workspace holding its program, the
/// stack selected (created on first use) with its config and secrets set, the engine commands that change or
/// inspect it (streaming their events), its outputs and checkpoint, and clearing the locks a dead engine left.
/// <see cref="PulumiCliEngine"/> drives the real <c>pulumi</c> CLI and owns everything about its protocol; the
/// <see cref="Operations.OperationExecutor"/> only orchestrates (compile, timeout, resilience, outcome).
/// </summary>
public interface IStackEngine
{
    /// <summary>Creates what the backend needs before first use (the directory of a local file backend).</summary>
    void PrepareBackend();

    /// <summary>Whether the engine can run at all, and its version or what is wrong.</summary>
    /// <param name="cancellationToken">Stops the check.</param>
    Task<EngineProbeResult> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The workspace of an environment's stack; with <paramref name="scratch"/>, a scratch copy of it for one operation
    /// (a preview), so the environment's own program and stack config stay as deployed.
    /// </summary>
    /// <param name="stack">The stack (the environment's name).</param>
    /// <param name="scratch">The operation a scratch copy is made for, or <see langword="null"/> for the own workspace.</param>
    StackWorkspace OpenWorkspace(string stack, string? scratch);

    /// <summary>Whether the workspace holds a program (the one the stack was last deployed or previewed with).</summary>
    /// <param name="workspace">The workspace.</param>
    bool HasProgram(StackWorkspace workspace);

    /// <summary>Writes a rendered program into the workspace (before its stack is selected).</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="program">The program.</param>
    void WriteProgram(StackWorkspace workspace, RenderedProgram program);

    /// <summary>
    /// Selects the stack, creating it on first use, and then writes <paramref name="program"/>'s non-secret stack
    /// config into it (keeping what the engine keeps there, such as the secrets provider's salt).
    /// </summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="program">The program whose config to set, or <see langword="null"/> to keep the stack's config.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<EngineResult> SelectStackAsync(StackWorkspace workspace, RenderedProgram? program, CancellationToken cancellationToken);

    /// <summary>Sets one secret config value, encrypted by the engine; the value never appears in arguments, logs or files.</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="key">The config key.</param>
    /// <param name="value">The value, as the program reads it.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<EngineResult> SetSecretAsync(StackWorkspace workspace, string key, string value, CancellationToken cancellationToken);

    /// <summary>
    /// Runs an engine command, handing each event to <paramref name="onEvent"/> while it runs. The result says what the
    /// events said (failed resources, applied changes) and classifies a failure from them. <paramref name="stop"/>
    /// interrupts the engine (it finishes its in-flight resource operations) and kills it only on a force-cancel or
    /// once the grace period has passed.
    /// </summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="command">The command.</param>
    /// <param name="runId">Names this run (the operation id), e.g. for its event log.</param>
    /// <param name="onEvent">Receives each event.</param>
    /// <param name="stop">How to stop it.</param>
    Task<EngineResult> RunAsync(StackWorkspace workspace, EngineCommand command, string runId, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop);

    /// <summary>The stack's checkpoint: its resources (with their protect flags) and the operations a killed engine left pending.</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<(EngineResult Result, StackState? State)> ReadStateAsync(StackWorkspace workspace, CancellationToken cancellationToken);

    /// <summary>Clears every resource's protect flag in the checkpoint: the audited override before a forced destroy.</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<EngineResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken);

    /// <summary>The stack's outputs (a JSON object), with secret values masked by the engine itself.</summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<(EngineResult Result, string? Json)> ReadOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken);

    /// <summary>
    /// Clears the stack's locks when every one of them is stale by <paramref name="rule"/>; returns the stale locks it
    /// cleared (or tried to), or none when there were none or any is held by a live owner (clearing removes them
    /// all, so then none is touched).
    /// </summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="reported">Locks an engine error named, used when the backend's locks cannot be listed.</param>
    /// <param name="rule">Who decides that a lock is stale.</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    Task<IReadOnlyList<StackLock>> ClearStaleLocksAsync(StackWorkspace workspace, IReadOnlyList<StackLock> reported, StaleLockRule rule, CancellationToken cancellationToken);

    /// <summary>
    /// Ends an operation's use of a workspace: a scratch copy is deleted (it holds a program and encrypted config),
    /// after handing the stack's identity to the own workspace when <paramref name="succeeded"/> and the stack was new.
    /// </summary>
    /// <param name="workspace">The workspace.</param>
    /// <param name="succeeded">Whether the operation succeeded.</param>
    void CloseWorkspace(StackWorkspace workspace, bool succeeded);
}

/// <summary>Who decides that a stack lock is stale (its owner gone), so that clearing it is safe.</summary>
public enum StaleLockRule
{
    /// <summary>
    /// The lock's process is known to be gone: it ran on this host and no longer exists. A lock of another host is
    /// never judged stale: Pulumi calls clearing a live lock dangerous.
    /// </summary>
    DeadProcess,

    /// <summary>
    /// The caller holds the lease of the environment's operation, taken over from a replica that stopped renewing it
    /// (or from this replica before it restarted). Operations of one environment never run at once, so only that
    /// replica's engine can have locked the stack, on whichever host it ran: every lock is stale except one held by
    /// a live process on this host.
    /// </summary>
    Lease,
}

/// <summary>A stack and the workspace directory holding its program.</summary>
/// <param name="Directory">Workspace directory.</param>
/// <param name="Stack">Stack name.</param>
/// <param name="IsScratch">Whether it is an operation's scratch copy of the environment's own workspace.</param>
public sealed record StackWorkspace(string Directory, string Stack, bool IsScratch = false);

/// <summary>The outcome of one engine call.</summary>
/// <param name="Error">The classified failure, or <see langword="null"/> on success.</param>
/// <param name="Stop">Whether the engine was interrupted or killed on request.</param>
/// <param name="Log">What an engine command's events said (failed resources, applied changes, in-flight operations).</param>
public sealed record EngineResult(EngineError? Error, ProcessStop Stop = ProcessStop.None, EngineLog? Log = null)
{
    /// <summary>A success.</summary>
    public static EngineResult Success { get; } = new((EngineError?)null);

    /// <summary>Whether the call succeeded.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Whether the engine runs.</summary>
/// <param name="Found">Whether it runs.</param>
/// <param name="Detail">Its version, or what is wrong (one sentence without its final period or a remedy).</param>
public sealed record EngineProbeResult(bool Found, string Detail);

/// <summary>The engine commands that change or inspect a stack and stream events.</summary>
public enum EngineCommand
{
    /// <summary>Deploy the program (<c>pulumi up --yes --skip-preview</c>).</summary>
    Up,

    /// <summary>What would change (<c>pulumi preview</c>).</summary>
    Preview,

    /// <summary>Read the real resources into the stack's state (<c>pulumi refresh --yes --skip-preview</c>).</summary>
    Refresh,

    /// <summary>Tear the stack's resources down (<c>pulumi destroy --yes --skip-preview</c>).</summary>
    Destroy,

    /// <summary>
    /// A refresh that also drops pending creates: the repair after an engine was killed
    /// (<c>pulumi refresh --yes --skip-preview --clear-pending-creates</c>).
    /// </summary>
    RepairRefresh,
}
