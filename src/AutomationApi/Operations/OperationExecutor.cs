using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;
using Platform.Components.Rendering;
using Polly.CircuitBreaker;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Runs one stored operation against the engine (<see cref="IStackEngine"/>): compiles the environment's spec, puts
/// its program in the workspace, selects the stack and sets its secrets, runs the command with its events stored as
/// operation events, reads the outputs, and records the outcome — under the operation's timeout, with retries and a
/// circuit breaker per target. Operations of one environment never run at the same time (the
/// <see cref="OperationWorker"/> guarantees it, across replicas too), so one workspace per environment is safe.
/// </summary>
public sealed class OperationExecutor(
    IDbContextFactory<PlatformDbContext> dbFactory,
    ReplicaIdentity replica,
    EnvironmentCompiler compiler,
    PlanHandoff plans,
    IStackEngine engine,
    EnvironmentLifecycle lifecycle,
    EngineResilience resilience,
    PassphraseStore passphrase,
    SpecProtector protector,
    IOptions<PlatformOptions> options,
    TimeProvider time,
    ILogger<OperationExecutor> logger)
{
    // Stored summaries and results are shown as they are: enums as strings, durations in the spec's form.
    private static readonly JsonSerializerOptions Json = Platform.Components.SpecDocuments.SpecJson.Options;

    /// <summary>
    /// Runs <paramref name="operationId"/>. <paramref name="cancel"/> is a caller's cancel request (the engine is
    /// interrupted and finishes its in-flight resource operations); <paramref name="kill"/> is a force-cancel (the
    /// engine is killed at once); <paramref name="shutdown"/> is the host stopping, which interrupts the engine like a
    /// cancel but leaves the operation <c>running</c> for start-up recovery, exactly as a crash would (so does a lost
    /// lease). The operation was claimed by this replica (<see cref="OperationLeases.ClaimAsync"/>), which started it.
    /// Returns whether it finished (its outcome recorded).
    /// </summary>
    public async Task<bool> ExecuteAsync(string operationId, CancellationToken cancel, CancellationToken kill, CancellationToken shutdown)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
        if (operation.State != OperationState.Running || operation.LeaseOwner != replica.Id)
        {
            // Recovered by another replica (a lost lease) before it ran here.
            return false;
        }

        // (Its "started" event was stored with the claim.)
        using var events = new EventSink(dbFactory, operationId, time);
        logger.LogInformation("Operation {OperationId} ({Kind} of {Environment}) started", operationId, operation.Kind, operation.EnvironmentName);

        var environment = await db.Environments.AsNoTracking().SingleAsync(e => e.Id == operation.EnvironmentId, CancellationToken.None);

        // A preview works on a scratch copy: the environment's own program and stack config stay what it was last
        // deployed with, so a later destroy or refresh never runs a previewed program and a preview's secrets never stay.
        var workspace = engine.OpenWorkspace(environment.Name, operation.Kind == OperationKind.Preview ? operation.Id : null);
        Outcome? outcome = null;
        try
        {
            outcome = await RunAsync(operation, environment, workspace, events, cancel, kill, shutdown);
        }
        finally
        {
            engine.CloseWorkspace(workspace, outcome?.State == OperationState.Succeeded);
        }

        if (outcome is null)
        {
            logger.LogInformation("Operation {OperationId} left running for recovery: the host is stopping or lost its lease", operationId);
            return false;
        }

        return await RecordAsync(operationId, outcome, events);
    }

    private async Task<Outcome?> RunAsync(
        StackOperation operation, EnvironmentRecord environment, StackWorkspace workspace, EventSink events,
        CancellationToken cancel, CancellationToken kill, CancellationToken shutdown)
    {
        if (environment.Status == EnvironmentStatus.Destroyed)
        {
            // Queued behind the destroy that removed the environment: running it would bring resources back.
            return Outcome.Cancelled("The environment was destroyed before this operation's turn came.", 0);
        }

        var storedSpec = operation.SpecText ?? environment.SpecText;
        var specText = protector.Unprotect(storedSpec);

        // Destroy and refresh work from the stack's state: a policy or target change since the last deployment must
        // not block them. They use the program and settings the stack was last deployed with when the workspace has
        // them, and otherwise the spec compiled without the gates that guard new deployments.
        var fromState = operation.Kind is OperationKind.Destroy or OperationKind.Refresh;
        var reuseWorkspace = fromState && engine.HasProgram(workspace);
        // A create or update accepted by this replica completes the plan its request's checks compiled.
        var handed = operation.Kind is OperationKind.Create or OperationKind.Update ? plans.Take(operation.Id) : null;
        var compiled = fromState ? compiler.CompileDeployed(specText) : handed is not null ? compiler.Complete(handed) : compiler.Compile(specText);
        var target = compiled.Environment;
        if (target is null && !reuseWorkspace)
        {
            return Outcome.Failed(new EngineError(EngineErrorCodes.InvalidSpec,
                "The spec no longer compiles: " + string.Join("; ", compiled.Errors.Select(e => e.ToString())), false), SecretRedactor.None);
        }

        var redactor = new SecretRedactor((target?.Secrets ?? SpecSecrets(specText)).Append(passphrase.Passphrase));
        events.Redactor = redactor;
        var program = reuseWorkspace ? null : target!;
        if (program is not null)
        {
            engine.WriteProgram(workspace, program.Program);
        }

        var settings = options.Value;
        var timeoutAfter = operation.Kind is OperationKind.Preview or OperationKind.Refresh ? settings.InspectTimeout : settings.DeployTimeout;

        // On the injected clock, so tests drive timeouts and grace periods instead of racing them.
        using var timeout = new CancellationTokenSource(timeoutAfter, time);
        using var engineStop = CancellationTokenSource.CreateLinkedTokenSource(cancel, shutdown, timeout.Token);
        var stop = new ProcessStopRequest(settings.CancelGracePeriod, kill, engineStop.Token);
        var targetPipeline = resilience.For(environment.Target);
        var attempts = 0;
        var repairing = environment.PendingOperationsJson is not null && operation.Kind != OperationKind.Preview;
        var repaired = false;

        // Attempts count runs of the operation's own engine command (up, destroy, ...), retries included; only those
        // go through the target's circuit breaker.
        async Task<EngineResult> Run(Func<CancellationToken, Task<EngineResult>> command, bool isAttempt = false) =>
            await (isAttempt ? targetPipeline : resilience.Backend).ExecuteAsync(async token =>
            {
                attempts += isAttempt ? 1 : 0;
                var result = await command(token);
                if (result.Error is { Code: EngineErrorCodes.Locked } locked &&
                    await engine.ClearStaleLocksAsync(workspace, locked.Locks ?? [], StaleLockRule.DeadProcess, token) is { Count: > 0 } locks)
                {
                    // Every owner is gone (a crash): the locks were cleared, and the command is worth another go.
                    await events.AppendAsync("retry", $"The stack was locked by {string.Join(", ", locks.Select(l => $"process {l.Pid} on {l.Host}"))}, which no longer exist(s); cleared the lock(s).", EngineErrorCodes.StaleLock);
                    return result with { Error = locked with { Code = EngineErrorCodes.StaleLock, Transient = true } };
                }

                if (result.Error is { Transient: true } transient)
                {
                    await events.AppendAsync("retry", redactor.Redact(transient.Message), transient.Code);
                }

                return result;
            }, engineStop.Token);

        var summary = new Dictionary<string, int>(StringComparer.Ordinal);
        var steps = new JsonArray();
        var reasons = new Deployments.RolloutFailure.Collector();
        async ValueTask OnEvent(EngineEvent engineEvent)
        {
            reasons.Add(engineEvent);
            if (engineEvent.Type == "summary")
            {
                foreach (var (op, count) in EngineEventReader.Changes(engineEvent))
                {
                    summary[op] = count;
                }
            }
            else if (engineEvent.Type == "step" && engineEvent.Detail is not ("same" or "read"))
            {
                steps.Add(new JsonObject { ["op"] = engineEvent.Detail, ["urn"] = engineEvent.Urn });
            }

            await events.AppendAsync(engineEvent.Type, redactor.Redact(engineEvent.Message), engineEvent.Detail, engineEvent.Urn);
        }

        EngineResult? failed = null;
        JsonObject? result = null;
        var nothingChanged = false;
        try
        {
            var selected = await Run(token => engine.SelectStackAsync(workspace, program?.Program, token));
            if (!selected.Succeeded)
            {
                failed = selected;
            }

            // Secret values are not in the stack's plain config: the engine encrypts each.
            foreach (var key in failed is null && program is not null ? program.Program.SecretConfigKeys : [])
            {
                if (!program!.Plan.StackConfig.TryGetValue(key, out var value))
                {
                    continue;
                }

                // Encoded as the rendered program reads it, so Pulumi YAML gets back exactly this text (never re-typed).
                var set = await Run(token => engine.SetSecretAsync(workspace, key, PulumiYamlConfig.StackValue(value.Value), token));
                if (!set.Succeeded)
                {
                    failed = set;
                    break;
                }
            }

            // A killed engine left pending operations: a refresh that clears pending creates repairs the checkpoint
            // before anything else runs on it (a refresh operation is that repair itself).
            if (failed is null && repairing && operation.Kind != OperationKind.Refresh)
            {
                await events.AppendAsync("repair", $"The stack needs repair after a killed engine (pending: {environment.PendingOperationsJson}); refreshing with --clear-pending-creates first.");
                var repair = await Run(token => engine.RunAsync(workspace, EngineCommand.RepairRefresh, operation.Id, OnEvent, stop with { Interrupt = token }));
                failed = repair.Succeeded ? null : repair;
                repaired = repair.Succeeded;
            }

            // Protection is checked in the stack's state before anything is deleted: the engine would otherwise delete
            // every other resource and only then refuse the protected one.
            if (failed is null && operation.Kind == OperationKind.Destroy)
            {
                var (exported, state) = await engine.ReadStateAsync(workspace, engineStop.Token);
                if (state is null)
                {
                    failed = exported;
                }
                else if (state.Resources.Where(r => r.BlocksDestroy).Select(r => r.Resource).ToList() is { Count: > 0 } protectedResources)
                {
                    var names = string.Join(", ", protectedResources.Select(r => r.ToString()));
                    if (!operation.Force)
                    {
                        nothingChanged = true;
                        failed = new EngineResult(new EngineError(EngineErrorCodes.Protected,
                            $"Destroy refused before anything was deleted: {protectedResources.Count} resource(s) are protected: {names}. " +
                            $"To destroy them too, run {CliRemedies.ForceDestroy(environment.Name)} (DELETE with ?force=true), which unprotects them first and is recorded on the operation.", false));
                    }
                    else
                    {
                        await events.AppendAsync("audit", $"Forced destroy: unprotecting {protectedResources.Count} protected resource(s) before anything is deleted: {names}.", "unprotect");
                        var unprotected = await Run(token => engine.UnprotectAllAsync(workspace, token));
                        failed = unprotected.Succeeded ? null : unprotected;
                    }
                }
            }

            if (failed is null)
            {
                var command = operation.Kind switch
                {
                    OperationKind.Create or OperationKind.Update => EngineCommand.Up,
                    OperationKind.Destroy => EngineCommand.Destroy,
                    OperationKind.Refresh when repairing => EngineCommand.RepairRefresh,
                    OperationKind.Refresh => EngineCommand.Refresh,
                    _ => EngineCommand.Preview,
                };
                var ran = await Run(token =>
                {
                    // A retried command starts over: only the last attempt's changes describe the result.
                    summary.Clear();
                    steps.Clear();
                    reasons.Clear();
                    return engine.RunAsync(workspace, command, operation.Id, OnEvent, stop with { Interrupt = token });
                }, isAttempt: true);
                // A workload that never became ready: the provider's diagnostic says why (image pull, crash loop).
                failed = ran.Succeeded ? null : ran with { Error = reasons.Explain(ran.Error!) };
                repaired |= ran.Succeeded && command == EngineCommand.RepairRefresh;
            }

            if (failed is null)
            {
                result = new JsonObject { ["changes"] = JsonSerializer.SerializeToNode(summary, Json) };
                if (repairing && environment.PendingOperationsJson is { } cleared)
                {
                    // The pending creates just cleared may exist in the cloud without being in the stack: say which.
                    result["clearedPendingOperations"] = JsonNode.Parse(cleared);
                }

                if (operation.Kind == OperationKind.Preview)
                {
                    var current = environment.Status == EnvironmentStatus.Creating ? null : compiler.Compile(protector.Unprotect(environment.SpecText)).Environment;
                    result["steps"] = steps;
                    result["planDiff"] = JsonSerializer.SerializeToNode(PlanDiff.Between(current?.Plan, target!.Plan), Json);
                    result["costDelta"] = JsonSerializer.SerializeToNode(CostDelta.Between(current?.Cost, target.Cost), Json);
                    result["policyWarnings"] = JsonSerializer.SerializeToNode(target.Policies.Advisory.Select(v => v.ToString()), Json);
                }
            }

            string? outputs = null;
            if (failed is null && operation.Kind is OperationKind.Create or OperationKind.Update or OperationKind.Refresh)
            {
                string? json = null;
                var read = await Run(async token =>
                {
                    (var readResult, json) = await engine.ReadOutputsAsync(workspace, token);
                    return readResult;
                });
                outputs = read.Succeeded && json is not null ? MaskOutputs(json, redactor) : null;
            }

            if (failed is null)
            {
                return Outcome.Succeeded(operation.Kind, attempts, result, outputs, storedSpec, target) with { Repaired = repaired || repairing };
            }
        }
        catch (OperationCanceledException) when (engineStop.IsCancellationRequested || kill.IsCancellationRequested)
        {
            // Stopped while waiting to retry; decided below like a stop during a command.
            failed = new EngineResult(new EngineError(EngineErrorCodes.Cancelled, "Stopped before the engine ran again.", false), ProcessStop.Interrupted);
        }
        catch (BrokenCircuitException ex)
        {
            return Outcome.Failed(new EngineError(EngineErrorCodes.CircuitOpen,
                $"Deployment target '{environment.Target}' is unavailable after repeated engine failures; try again later. {ex.Message}", true), redactor, attempts);
        }
        catch (EngineNotFoundException ex)
        {
            return Outcome.Failed(new EngineError(EngineErrorCodes.EngineMissing, ex.Message, false), redactor, attempts);
        }

        var error = failed!.Error!;
        var killed = failed.Stop == ProcessStop.Killed;
        IReadOnlyList<PendingOperation>? pending = null;
        if (killed)
        {
            pending = await RecordPendingOperationsAsync(workspace, events);
            await ClearLocksOfKilledEngineAsync(workspace, events);
        }

        if (shutdown.IsCancellationRequested && !cancel.IsCancellationRequested && !kill.IsCancellationRequested)
        {
            if (pending is not null)
            {
                // Start-up recovery's refresh must be the repair one.
                await MarkNeedsRepairAsync(environment.Id, pending);
            }

            return null;
        }

        // Changes the engine completed before it was stopped (cancel, timeout): the environment is then partly what
        // was asked. A deployment that failed on its own is "failed", which already says it may be partly deployed.
        var partial = failed.Stop != ProcessStop.None && failed.Log?.AppliedChanges > 0;
        if (timeout.IsCancellationRequested && !cancel.IsCancellationRequested && !kill.IsCancellationRequested)
        {
            var how = killed ? "was still running after the grace period and was killed" : "was interrupted and finished its in-flight resource operations";
            error = new EngineError(EngineErrorCodes.Timeout, $"{operation.Kind} ran past its timeout of {timeoutAfter}; the engine {how}.", false);
        }
        else if (cancel.IsCancellationRequested || kill.IsCancellationRequested)
        {
            var how = kill.IsCancellationRequested ? "Force-cancelled: the engine was killed." : error.Message;
            return Outcome.Cancelled(Describe(how, pending), attempts) with { Partial = partial, Pending = pending };
        }

        return Outcome.Failed(error with { Message = Describe(error.Message, pending) }, redactor, attempts) with { Partial = partial, Pending = pending, NothingChanged = nothingChanged };
    }

    private static string Describe(string message, IReadOnlyList<PendingOperation>? pending) => pending switch
    {
        null => message,
        { Count: 0 } => $"{message} The checkpoint lists no pending operations, but a killed engine may not have saved them: the environment needs a repair refresh.",
        _ => $"{message} Resource operations left pending: {string.Join(", ", pending.Select(p => $"{p.Resource} ({p.Type})"))}. " +
             "The environment needs a repair: a refresh (which runs with --clear-pending-creates); resources whose creation was pending may exist without being in the stack.",
    };

    /// <summary>
    /// After a kill, reads the pending operations the engine left in the checkpoint (<c>pulumi stack export</c>), so the
    /// operation names them and the environment is marked as needing repair.
    /// </summary>
    private async Task<IReadOnlyList<PendingOperation>> RecordPendingOperationsAsync(StackWorkspace workspace, EventSink events)
    {
        using var bounded = new CancellationTokenSource(options.Value.InspectTimeout);
        var (_, state) = await engine.ReadStateAsync(workspace, bounded.Token);
        var pending = state?.PendingOperations ?? [];
        await events.AppendAsync("pending", pending.Count == 0
            ? "The engine was killed; its checkpoint lists no pending operations."
            : $"The engine was killed with resource operations in flight: {string.Join(", ", pending.Select(p => $"{p.Resource} ({p.Type})"))}.", "needs-repair");
        return pending;
    }

    private async Task MarkNeedsRepairAsync(string environmentId, IReadOnlyList<PendingOperation> pending)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await lifecycle.NeedsRepairAsync(db, environmentId, PendingJson(pending));
    }

    private static string PendingJson(IReadOnlyList<PendingOperation> pending) =>
        JsonSerializer.Serialize(pending.Select(p => new { p.Resource.Urn, p.Resource.Name, p.Resource.Type, Operation = p.Type }), Json);

    /// <summary>
    /// A killed engine leaves its stack lock behind; the process is gone, so the lock is stale by construction. Clearing
    /// it now (not when the next operation trips over it) keeps the stack usable and the next operation's attempts honest.
    /// </summary>
    private async Task ClearLocksOfKilledEngineAsync(StackWorkspace workspace, EventSink events)
    {
        using var bounded = new CancellationTokenSource(options.Value.InspectTimeout);
        if (await engine.ClearStaleLocksAsync(workspace, [], StaleLockRule.DeadProcess, bounded.Token) is { Count: > 0 })
        {
            await events.AppendAsync("lock", "The engine was killed and left its stack lock behind; cleared it.", EngineErrorCodes.StaleLock);
        }
    }

    // The secret values a stored spec carries, for redaction when the spec no longer compiles.
    private static IEnumerable<string> SpecSecrets(string specText) =>
        EnvironmentCompiler.Parse(specText).Spec?.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret).Select(v => v.Value) ?? [];

    /// <summary>
    /// Records the outcome: the operation's final state, the environment it leaves and the final <c>state</c> event,
    /// in one transaction, so a live event stream that sees the operation finished also finds its outcome event.
    /// </summary>
    private async Task<bool> RecordAsync(string operationId, Outcome outcome, EventSink events)
    {
        var message = outcome.Error is { } e ? $"{outcome.State}: {e.Code}: {e.Message}" : $"{outcome.State}.";
        var applied = new OperationOutcome(outcome.State, outcome.Outputs)
        {
            Deployed = outcome is { SpecText: { } specText, Compiled: { } compiled }
                ? new DeployedSpec(specText, compiled.Spec, SummaryJson(compiled), JsonSerializer.Serialize(compiled.Cost, Json))
                : null,
            Partial = outcome.Partial,
            NothingChanged = outcome.NothingChanged,
            PendingJson = outcome.Pending is { } pending ? PendingJson(pending) : null,
            Repaired = outcome.Repaired,
        };
        var recorded = await events.FinishAsync(async (db, finalEvent) =>
        {
            // Only while this replica holds it: one whose lease ran out was recovered elsewhere, and that stands.
            if (!await lifecycle.RecordOutcomeAsync(db, operationId, replica.Id, applied, outcome.Attempts, outcome.Error, WithPending(outcome).Result?.ToJsonString()))
            {
                return false;
            }

            finalEvent(outcome.State.ToString().ToLowerInvariant(), message);
            return true;
        });
        if (!recorded)
        {
            logger.LogWarning("Operation {OperationId} ended {State} here, but another replica had taken it over; its recovery stands", operationId, outcome.State);
            return false;
        }

        logger.LogInformation("Operation {OperationId} finished {State} {Code}", operationId, outcome.State, outcome.Error?.Code);
        return true;
    }

    private static Outcome WithPending(Outcome outcome)
    {
        if (outcome.Pending is not { } pending)
        {
            return outcome;
        }

        var result = outcome.Result ?? new JsonObject();
        result["pendingOperations"] = JsonNode.Parse(PendingJson(pending));
        return outcome with { Result = result };
    }

    // The shared plan summary (the CLI prints the same), plus the advisory guardrail warnings users should see.
    private static string SummaryJson(CompiledEnvironment compiled)
    {
        var summary = JsonSerializer.SerializeToNode(Components.Rendering.PlanSummary.Of(compiled.Plan, compiled.Cost), Json)!.AsObject();
        summary["policyWarnings"] = JsonSerializer.SerializeToNode(compiled.Policies.Advisory.Select(v => v.ToString()), Json);
        return summary.ToJsonString(Json);
    }

    /// <summary>
    /// Keeps outputs as the engine printed them without <c>--show-secrets</c> (secret outputs read <c>[secret]</c>), and
    /// masks any known secret value that a program exported as plain text anyway.
    /// </summary>
    internal static string? MaskOutputs(string json, SecretRedactor redactor)
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject;
            return node is null ? null : redactor.Redact(node.ToJsonString());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Outcome(OperationState State, int Attempts, EngineError? Error, JsonObject? Result, string? Outputs, string? SpecText, CompiledEnvironment? Compiled)
    {
        /// <summary>The engine completed some changes before it stopped.</summary>
        public bool Partial { get; init; }

        /// <summary>Refused before the engine changed anything.</summary>
        public bool NothingChanged { get; init; }

        /// <summary>The engine was killed; these operations were pending in its checkpoint.</summary>
        public IReadOnlyList<PendingOperation>? Pending { get; init; }

        /// <summary>A repair refresh cleared the pending operations a killed engine left.</summary>
        public bool Repaired { get; init; }

        public static Outcome Succeeded(OperationKind kind, int attempts, JsonObject? result, string? outputs, string specText, CompiledEnvironment? compiled) =>
            new(OperationState.Succeeded, attempts, null, result, outputs, kind is OperationKind.Create or OperationKind.Update ? specText : null, compiled);

        public static Outcome Failed(EngineError error, SecretRedactor redactor, int attempts = 0) =>
            new(OperationState.Failed, attempts, error with { Message = redactor.Redact(error.Message) ?? "" }, null, null, null, null);

        public static Outcome Cancelled(string message, int attempts) =>
            new(OperationState.Cancelled, attempts, new EngineError(EngineErrorCodes.Cancelled, attempts == 0 ? message : $"Cancelled on request. {message}", false), null, null, null, null);
    }

    /// <summary>Appends an operation's events with consecutive sequence numbers, each in its own short unit of work.</summary>
    private sealed class EventSink(IDbContextFactory<PlatformDbContext> dbFactory, string operationId, TimeProvider time) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public SecretRedactor Redactor { get; set; } = SecretRedactor.None;

        public void Dispose() => _gate.Dispose();

        public async Task AppendAsync(string type, string? message, string? detail = null, string? urn = null)
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                await OperationQueue.AppendEventAsync(db, operationId, time.GetUtcNow(), type, Redactor.Redact(message), detail, urn, CancellationToken.None);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// Runs <paramref name="change"/> and appends the final <c>state</c> event it names in the same transaction;
        /// starts over when another writer (a cancel request's event, a new request on the environment) got in between.
        /// False (nothing saved) when <paramref name="change"/> declines.
        /// </summary>
        public async Task<bool> FinishAsync(Func<PlatformDbContext, Action<string, string>, Task<bool>> change)
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                for (var attempt = 0; ; attempt++)
                {
                    await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                    (string Detail, string Message)? final = null;
                    if (!await change(db, (detail, message) => final = (detail, message)))
                    {
                        return false;
                    }

                    if (final is { } state)
                    {
                        await OperationQueue.StageEventAsync(db, operationId, time.GetUtcNow(), "state", Redactor.Redact(state.Message), state.Detail, null, CancellationToken.None);
                    }

                    try
                    {
                        await db.SaveChangesAsync(CancellationToken.None);
                        return true;
                    }
                    catch (DbUpdateException) when (attempt < 10)
                    {
                        // The environment changed under us, or an event took the sequence number: read again and re-apply.
                    }
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
