using System.Collections.Concurrent;
using Platform.AutomationApi.Engine;
using Platform.Components.Rendering;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>How the <see cref="InMemoryStackEngine"/> answers one engine command.</summary>
public abstract record EngineScript
{
    /// <summary>Applies the change and succeeds.</summary>
    public static EngineScript Succeed { get; } = new Succeeding();

    /// <summary>Starts its first resource operation, then holds it in flight until <see cref="InMemoryStackEngine.Release"/> or a stop.</summary>
    public static EngineScript Hold { get; } = new Holding();

    /// <summary>Fails with <paramref name="error"/> after starting (and failing) its first resource operation.</summary>
    public static EngineScript Fail(EngineError error) => new Failing(error);

    /// <summary>
    /// Throws <paramref name="error"/> after starting its first resource operation instead of answering with a
    /// result: a fault of the service itself (not an engine failure), which the worker fails as <c>internal-error</c>.
    /// </summary>
    public static EngineScript Crash(Exception error) => new Crashing(error);

    internal sealed record Succeeding : EngineScript;

    internal sealed record Crashing(Exception Error) : EngineScript;

    internal sealed record Holding : EngineScript;

    internal sealed record Failing(EngineError Error) : EngineScript;
}

/// <summary>One call the engine received.</summary>
/// <param name="Stack">The stack.</param>
/// <param name="Action"><c>select</c>, <c>secret</c>, <c>state</c>, <c>unprotect</c>, <c>outputs</c>, <c>clear-locks</c>,
/// or an <see cref="EngineCommand"/> in lower case (<c>up</c>, <c>preview</c>, <c>refresh</c>, <c>repairrefresh</c>, <c>destroy</c>).</param>
/// <param name="Scratch">Whether it ran in an operation's scratch workspace.</param>
public sealed record EngineCall(string Stack, string Action, bool Scratch);

/// <summary>
/// An engine in memory, for tests of HTTP and lifecycle behaviour: each stack keeps its resources, secrets and
/// outputs; each command does what its <see cref="EngineScript"/> says (succeed, fail with a classified error, or
/// hold a resource operation in flight until released or stopped); every call is recorded. It emits the same event
/// types the CLI engine derives from Pulumi's event log (<c>step</c>, <c>step-done</c>, <c>step-failed</c>,
/// <c>diagnostic</c>, <c>summary</c>), so the executor's bookkeeping runs unchanged. The process-level stand-in
/// (<see cref="FakePulumi"/>) stays for tests of the CLI's protocol and faults.
/// </summary>
public sealed class InMemoryStackEngine : IStackEngine
{
    private readonly ConcurrentDictionary<EngineCommand, EngineScript> _scripts = new();
    private readonly ConcurrentQueue<EngineCall> _calls = new();
    private readonly ConcurrentDictionary<string, StackData> _stacks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _released = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _stepped = new(StringComparer.Ordinal);

    /// <summary>Every call, in order.</summary>
    public IReadOnlyList<EngineCall> Calls => [.. _calls];

    /// <summary>Sets how a command answers from now on.</summary>
    public void Script(EngineCommand command, EngineScript script) => _scripts[command] = script;

    /// <summary>Calls of one action (see <see cref="EngineCall.Action"/>).</summary>
    public IReadOnlyList<EngineCall> CallsOf(string action) => [.. _calls.Where(c => c.Action == action)];

    /// <summary>The secret config values a stack received.</summary>
    public IReadOnlyDictionary<string, string> Secrets(string stack) =>
        _stacks.TryGetValue(stack, out var data) ? new Dictionary<string, string>(data.Secrets, StringComparer.Ordinal) : new Dictionary<string, string>();

    /// <summary>The resources in a stack's state (URNs).</summary>
    public IReadOnlyList<string> Resources(string stack) => _stacks.TryGetValue(stack, out var data) ? [.. data.Resources.Keys] : [];

    /// <summary>Lets a held resource operation of <paramref name="stack"/> complete.</summary>
    public void Release(string stack) => Signal(_released, stack).TrySetResult();

    /// <summary>Waits until the run named <paramref name="runId"/> (an operation id) has started a resource operation.</summary>
    public async Task WaitForStepAsync(string runId) =>
        await Signal(_stepped, runId).Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

    /// <inheritdoc />
    public void PrepareBackend()
    {
    }

    /// <inheritdoc />
    public Task<EngineProbeResult> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(new EngineProbeResult(true, "in-memory"));

    /// <inheritdoc />
    public StackWorkspace OpenWorkspace(string stack, string? scratch) => new(scratch is null ? $"memory:{stack}" : $"memory:{stack}:{scratch}", stack, scratch is not null);

    /// <inheritdoc />
    public bool HasProgram(StackWorkspace workspace) => _stacks.TryGetValue(workspace.Stack, out var data) && data.Program is not null;

    /// <inheritdoc />
    public void WriteProgram(StackWorkspace workspace, RenderedProgram program)
    {
        if (!workspace.IsScratch)
        {
            Stack(workspace).Program = program.Program;
        }
    }

    /// <inheritdoc />
    public Task<EngineResult> SelectStackAsync(StackWorkspace workspace, RenderedProgram? program, CancellationToken cancellationToken)
    {
        Record(workspace, "select");
        Stack(workspace).Selected = true;
        return Task.FromResult(EngineResult.Success);
    }

    /// <inheritdoc />
    public Task<EngineResult> SetSecretAsync(StackWorkspace workspace, string key, string value, CancellationToken cancellationToken)
    {
        Record(workspace, "secret");
        Stack(workspace).Secrets[key] = value;
        return Task.FromResult(EngineResult.Success);
    }

    /// <inheritdoc />
    public async Task<EngineResult> RunAsync(StackWorkspace workspace, EngineCommand command, string runId, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        ArgumentNullException.ThrowIfNull(stop);
        Record(workspace, command.ToString().ToLowerInvariant());
        var data = Stack(workspace);
        if (!data.Selected)
        {
            return new EngineResult(new EngineError(EngineErrorCodes.StackNotFound, $"no stack named '{workspace.Stack}' found", false));
        }

        var log = new EngineLog();
        async ValueTask Emit(string type, string? message, string? urn, string? detail)
        {
            var engineEvent = new EngineEvent(type, message, urn, detail);
            log.Observe(engineEvent);
            await onEvent(engineEvent);
        }

        var script = _scripts.TryGetValue(command, out var chosen) ? chosen : EngineScript.Succeed;
        var (op, targets) = command switch
        {
            EngineCommand.Destroy => ("delete", data.Resources.Keys.Reverse().ToList()),
            EngineCommand.Refresh or EngineCommand.RepairRefresh => ("refresh", data.Resources.Keys.ToList()),
            _ => (data.Resources.IsEmpty ? "create" : "update", Planned(workspace.Stack)),
        };
        foreach (var urn in targets)
        {
            await Emit("step", null, urn, op);
            Signal(_stepped, runId).TrySetResult();
            switch (script)
            {
                case EngineScript.Crashing crashing:
                    throw crashing.Error;
                case EngineScript.Failing failing:
                    await Emit("step-failed", null, urn, op);
                    await Emit("diagnostic", failing.Error.Message, urn, "error");
                    return new EngineResult(failing.Error, Log: log);
                case EngineScript.Holding when urn == targets[0]:
                    var released = Signal(_released, workspace.Stack).Task;
                    var interrupted = Task.Delay(Timeout.Infinite, stop.Interrupt);
                    var killed = Task.Delay(Timeout.Infinite, stop.Kill);
                    var first = await Task.WhenAny(released, interrupted, killed);
                    if (first == killed)
                    {
                        return new EngineResult(new EngineError(EngineErrorCodes.Cancelled, "The engine was killed before it finished its in-flight resource operations.", false),
                            ProcessStop.Killed, log);
                    }

                    if (first == interrupted)
                    {
                        // Like the real engine: the resource operation in flight finishes, nothing new starts.
                        await Emit("step-done", null, urn, op);
                        Apply(data, command, urn);
                        return new EngineResult(new EngineError(EngineErrorCodes.Cancelled, "The engine was interrupted and stopped after finishing its in-flight resource operations.", false),
                            ProcessStop.Interrupted, log);
                    }

                    _released.TryRemove(workspace.Stack, out _);
                    break;
            }

            await Emit("step-done", null, urn, op);
            if (command != EngineCommand.Preview)
            {
                Apply(data, command, urn);
            }

            if (command == EngineCommand.Up && ResourceName.FromUrn(urn) is { Type: "kubernetes:apps/v1:Deployment" } deployment)
            {
                // What the Kubernetes provider reports once a Deployment is ready (the CLI stand-in says the same).
                await Emit("diagnostic", $"deployment {deployment.Name} rolled out", urn, "info");
            }
        }

        await Emit("summary", targets.Count == 0 ? "no changes" : $"{op}: {targets.Count}", null, null);
        if (command is EngineCommand.Up)
        {
            data.Outputs = $$"""{"url":"https://{{workspace.Stack}}.apps.example.internal","namespace":"{{workspace.Stack}}","dbPassword":"[secret]"}""";
        }
        else if (command is EngineCommand.Destroy)
        {
            data.Outputs = "{}";
        }

        return new EngineResult(null, Log: log);
    }

    /// <inheritdoc />
    public Task<(EngineResult Result, StackState? State)> ReadStateAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        Record(workspace, "state");
        var data = Stack(workspace);
        var state = new StackState([.. data.Resources.Select(r => new StackResource(ResourceName.FromUrn(r.Key), r.Value, PendingDelete: false, PendingReplacement: false))], []);
        return Task.FromResult<(EngineResult, StackState?)>((EngineResult.Success, state));
    }

    /// <inheritdoc />
    public Task<EngineResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        Record(workspace, "unprotect");
        var data = Stack(workspace);
        foreach (var urn in data.Resources.Keys)
        {
            data.Resources[urn] = false;
        }

        return Task.FromResult(EngineResult.Success);
    }

    /// <inheritdoc />
    public Task<(EngineResult Result, string? Json)> ReadOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        Record(workspace, "outputs");
        return Task.FromResult<(EngineResult, string?)>((EngineResult.Success, Stack(workspace).Outputs));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StackLock>> ClearStaleLocksAsync(StackWorkspace workspace, IReadOnlyList<StackLock> reported, StaleLockRule rule, CancellationToken cancellationToken)
    {
        Record(workspace, "clear-locks");
        return Task.FromResult<IReadOnlyList<StackLock>>([]);
    }

    /// <inheritdoc />
    public void CloseWorkspace(StackWorkspace workspace, bool succeeded)
    {
    }

    // A namespace and a deployment, as the CLI stand-in's programs have.
    private static List<string> Planned(string stack) =>
    [
        $"urn:pulumi:{stack}::platform-{stack}::kubernetes:core/v1:Namespace::{stack}",
        $"urn:pulumi:{stack}::platform-{stack}::kubernetes:apps/v1:Deployment::api",
    ];

    private static void Apply(StackData data, EngineCommand command, string urn)
    {
        if (command == EngineCommand.Destroy)
        {
            data.Resources.TryRemove(urn, out _);
        }
        else if (command == EngineCommand.Up)
        {
            data.Resources.TryAdd(urn, false);
        }
    }

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string key) =>
        signals.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private StackData Stack(StackWorkspace workspace) => _stacks.GetOrAdd(workspace.Stack, _ => new StackData());

    private void Record(StackWorkspace workspace, string action) => _calls.Enqueue(new EngineCall(workspace.Stack, action, workspace.IsScratch));

    private sealed class StackData
    {
        public ConcurrentDictionary<string, bool> Resources { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

        public string? Program { get; set; }

        public string Outputs { get; set; } = "{}";

        public bool Selected { get; set; }
    }
}
