using Platform.AutomationApi.Engine;
using Platform.Components.Rendering;

namespace Platform.DispatchBench;

/// <summary>
/// An engine double for the dispatch benchmark: every call succeeds at once and nothing is kept, so an operation's
/// time is the service's own (dispatch, compile, bookkeeping), never an engine's. (The tests' InMemoryStackEngine
/// keeps stacks and scripts failures; this one does neither.)
/// </summary>
internal sealed class ImmediateEngine : IStackEngine
{
    private static readonly Task<EngineResult> Done = Task.FromResult(EngineResult.Success);

    public void PrepareBackend()
    {
    }

    public Task<EngineProbeResult> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(new EngineProbeResult(true, "immediate"));

    public StackWorkspace OpenWorkspace(string stack, string? scratch) => new($"memory:{stack}", stack, scratch is not null);

    public bool HasProgram(StackWorkspace workspace) => false;

    public void WriteProgram(StackWorkspace workspace, RenderedProgram program)
    {
    }

    public Task<EngineResult> SelectStackAsync(StackWorkspace workspace, RenderedProgram? program, CancellationToken cancellationToken) => Done;

    public Task<EngineResult> SetSecretAsync(StackWorkspace workspace, string key, string value, CancellationToken cancellationToken) => Done;

    public Task<EngineResult> RunAsync(StackWorkspace workspace, EngineCommand command, string runId, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop) => Done;

    public Task<(EngineResult Result, StackState? State)> ReadStateAsync(StackWorkspace workspace, CancellationToken cancellationToken) =>
        Task.FromResult<(EngineResult, StackState?)>((EngineResult.Success, new StackState([], [])));

    public Task<EngineResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken) => Done;

    public Task<(EngineResult Result, string? Json)> ReadOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken) =>
        Task.FromResult<(EngineResult, string?)>((EngineResult.Success, "{}"));

    public Task<IReadOnlyList<StackLock>> ClearStaleLocksAsync(StackWorkspace workspace, IReadOnlyList<StackLock> reported, StaleLockRule rule, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StackLock>>([]);

    public void CloseWorkspace(StackWorkspace workspace, bool succeeded)
    {
    }
}
