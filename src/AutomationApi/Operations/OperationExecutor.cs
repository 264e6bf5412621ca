using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;
using Platform.Components.Rendering;
using Polly.CircuitBreaker;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Runs one stored operation against the engine: renders the environment's program into its workspace, selects or
/// creates the stack, sets its config, runs the command with the event log tailed into operation events, reads the
/// outputs, and records the outcome. Operations of one environment never run at the same time (the
/// <see cref="OperationWorker"/> guarantees it), so one workspace directory per environment is safe.
/// </summary>
public sealed class OperationExecutor(
    IDbContextFactory<PlatformDbContext> dbFactory,
    EnvironmentCompiler compiler,
    PulumiCli cli,
    EngineResilience resilience,
    PassphraseStore passphrase,
    SpecProtector protector,
    PlatformPaths paths,
    IOptions<PlatformOptions> options,
    TimeProvider time,
    ILogger<OperationExecutor> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Runs <paramref name="operationId"/>. <paramref name="cancel"/> is a caller's cancel request;
    /// <paramref name="shutdown"/> is the host stopping, which stops the engine but leaves the operation
    /// <c>running</c> for start-up recovery, exactly as a crash would.
    /// </summary>
    public async Task ExecuteAsync(string operationId, CancellationToken cancel, CancellationToken shutdown)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
        if (operation.State != OperationState.Queued)
        {
            return;
        }

        operation.State = OperationState.Running;
        operation.StartedAt = time.GetUtcNow();
        operation.Version = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Cancelled while queued, between the worker's look and now.
            return;
        }

        using var events = new EventSink(dbFactory, operationId, time);
        await events.AppendAsync("state", $"{operation.Kind} started.", "running");
        logger.LogInformation("Operation {OperationId} ({Kind} of {Environment}) started", operationId, operation.Kind, operation.EnvironmentName);

        var environment = await db.Environments.AsNoTracking().SingleAsync(e => e.Id == operation.EnvironmentId, CancellationToken.None);
        var outcome = await RunAsync(operation, environment, events, cancel, shutdown);
        if (outcome is null)
        {
            logger.LogInformation("Operation {OperationId} left running for start-up recovery: the host is stopping", operationId);
            return;
        }

        await RecordAsync(operationId, outcome, events);
    }

    private async Task<Outcome?> RunAsync(StackOperation operation, EnvironmentRecord environment, EventSink events, CancellationToken cancel, CancellationToken shutdown)
    {
        if (environment.Status == EnvironmentStatus.Destroyed)
        {
            // Queued behind the destroy that removed the environment: running it would bring resources back.
            return Outcome.Cancelled("The environment was destroyed before this operation's turn came.", 0);
        }

        var storedSpec = operation.SpecText ?? environment.SpecText;
        var specText = protector.Unprotect(storedSpec);
        var workspace = new StackWorkspace(paths.Workspace(environment.Name), environment.Name);

        // Destroy and refresh work from the stack's state: a policy or target change since the last deployment must
        // not block them. They use the program and settings the stack was last deployed with when the workspace has
        // them, and otherwise the spec compiled without the gates that guard new deployments.
        var fromState = operation.Kind is OperationKind.Destroy or OperationKind.Refresh;
        var reuseWorkspace = fromState && File.Exists(Path.Combine(workspace.Directory, RenderedProgram.ProgramFileName));
        var compiled = fromState ? compiler.CompileDeployed(specText) : compiler.Compile(specText);
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
            WriteAtomically(Path.Combine(workspace.Directory, RenderedProgram.ProgramFileName), program.Program.Program);
        }

        var settings = options.Value;
        var timeoutAfter = operation.Kind is OperationKind.Preview or OperationKind.Refresh ? settings.InspectTimeout : settings.DeployTimeout;
        using var timeout = new CancellationTokenSource(timeoutAfter);
        using var engineStop = CancellationTokenSource.CreateLinkedTokenSource(cancel, shutdown, timeout.Token);
        var targetPipeline = resilience.For(environment.Target);
        var attempts = 0;
        var eventLog = Path.Combine(paths.LogsDirectory, $"{operation.Id}.jsonl");

        // Attempts count runs of the operation's own engine command (up, destroy, ...), retries included; only those
        // go through the target's circuit breaker.
        async Task<CliResult> Run(Func<CancellationToken, Task<CliResult>> command, bool isAttempt = false) =>
            await (isAttempt ? targetPipeline : resilience.Backend).ExecuteAsync(async token =>
            {
                attempts += isAttempt ? 1 : 0;
                var result = await command(token);
                if (result.Error is { Code: EngineErrorCodes.Locked } locked && EngineErrorClassifier.IsStale(locked.Lock, EngineErrorClassifier.ProcessExists))
                {
                    // The lock's owner is gone (a crash): clearing it is safe, and the command is worth another go.
                    await events.AppendAsync("retry", $"The stack was locked by process {locked.Lock!.Pid} on {locked.Lock.Host}, which no longer exists; clearing the lock.", EngineErrorCodes.StaleLock);
                    await cli.CancelAsync(workspace, token);
                    return result with { Error = locked with { Code = EngineErrorCodes.StaleLock, Transient = true } };
                }

                if (result.Error is { Transient: true } transient)
                {
                    await events.AppendAsync("retry", redactor.Redact(transient.Message), transient.Code);
                }

                return result;
            }, engineStop.Token);

        CliResult? failed = null;
        JsonObject? result = null;
        try
        {
            var selected = await Run(token => cli.SelectStackAsync(workspace, token));
            if (!selected.Succeeded)
            {
                failed = selected;
            }

            if (failed is null && program is not null)
            {
                WriteStackSettings(workspace, program.Program);
            }

            // Secret values are not in the settings file: each goes to the CLI on standard input, encrypted by it.
            foreach (var key in failed is null && program is not null ? program.Program.SecretConfigKeys : [])
            {
                if (!program!.Plan.StackConfig.TryGetValue(key, out var value))
                {
                    continue;
                }

                // Encoded as the rendered program reads it, so Pulumi YAML gets back exactly this text (never re-typed).
                var set = await Run(token => cli.SetConfigAsync(workspace, key, PulumiYamlConfig.StackValue(value.Value), secret: true, token));
                if (!set.Succeeded)
                {
                    failed = set;
                    break;
                }
            }

            var summary = new Dictionary<string, int>(StringComparer.Ordinal);
            var steps = new JsonArray();
            if (failed is null)
            {
                var command = operation.Kind switch
                {
                    OperationKind.Create or OperationKind.Update => EngineCommand.Up,
                    OperationKind.Destroy => EngineCommand.Destroy,
                    OperationKind.Refresh => EngineCommand.Refresh,
                    _ => EngineCommand.Preview,
                };
                async ValueTask OnEvent(EngineEvent engineEvent)
                {
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

                var ran = await Run(token =>
                {
                    // A retried command starts over: only the last attempt's changes describe the result.
                    summary.Clear();
                    steps.Clear();
                    return cli.RunEngineAsync(workspace, command, eventLog, OnEvent, token);
                }, isAttempt: true);
                failed = ran.Succeeded ? null : ran;
            }

            if (failed is null)
            {
                result = new JsonObject { ["changes"] = JsonSerializer.SerializeToNode(summary, Json) };
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
                var read = await Run(token => cli.GetOutputsAsync(workspace, token));
                outputs = read.Succeeded ? MaskOutputs(read.StandardOutput, redactor) : null;
            }

            if (failed is null)
            {
                return Outcome.Succeeded(operation.Kind, attempts, result, outputs, storedSpec, target);
            }
        }
        catch (OperationCanceledException) when (engineStop.IsCancellationRequested)
        {
            // Stopped while waiting to retry; decided below like a stop during a command.
            failed = new CliResult(-1, "", "", new EngineError(EngineErrorCodes.Cancelled, "Stopped before the engine ran again.", false), ProcessStop.Interrupted);
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
        if (shutdown.IsCancellationRequested)
        {
            return null;
        }

        if (failed.Stop == ProcessStop.Killed)
        {
            await ClearLocksOfKilledEngineAsync(workspace, events);
        }

        if (timeout.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            var how = failed.Stop == ProcessStop.Killed ? "ignored the interrupt and was killed" : "was interrupted";
            error = new EngineError(EngineErrorCodes.Timeout, $"{operation.Kind} ran past its timeout of {timeoutAfter}; the engine {how}.", false);
        }
        else if (cancel.IsCancellationRequested)
        {
            return Outcome.Cancelled(error.Message, attempts);
        }

        return Outcome.Failed(error, redactor, attempts);
    }

    /// <summary>
    /// A killed engine leaves its stack lock behind; the process is gone, so the lock is stale by construction. Clearing
    /// it now (not when the next operation trips over it) keeps the stack usable and the next operation's attempts honest.
    /// </summary>
    private async Task ClearLocksOfKilledEngineAsync(StackWorkspace workspace, EventSink events)
    {
        var locks = cli.FindLocks(workspace.Stack);
        if (locks.Count == 0 || !locks.All(l => EngineErrorClassifier.IsStale(l, EngineErrorClassifier.ProcessExists)))
        {
            return;
        }

        await events.AppendAsync("lock", "The engine was killed and left its stack lock behind; clearing it.", EngineErrorCodes.StaleLock);
        using var bounded = new CancellationTokenSource(options.Value.InspectTimeout);
        var cleared = await cli.CancelAsync(workspace, bounded.Token);
        if (!cleared.Succeeded)
        {
            logger.LogWarning("Could not clear the stale lock on stack {Stack}: {Error}", workspace.Stack, cleared.Error?.Message);
        }
    }

    // The secret values a stored spec carries, for redaction when the spec no longer compiles.
    private static IEnumerable<string> SpecSecrets(string specText) =>
        EnvironmentCompiler.Parse(specText).Spec?.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret).Select(v => v.Value) ?? [];

    private async Task RecordAsync(string operationId, Outcome outcome, EventSink events)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var operation = await db.Operations.SingleAsync(o => o.Id == operationId, CancellationToken.None);
            var environment = await db.Environments.SingleAsync(e => e.Id == operation.EnvironmentId, CancellationToken.None);
            var now = time.GetUtcNow();
            operation.State = outcome.State;
            operation.FinishedAt = now;
            operation.Attempts = outcome.Attempts;
            operation.ErrorCode = outcome.Error?.Code;
            operation.ErrorMessage = outcome.Error?.Message;
            operation.ResultJson = outcome.Result?.ToJsonString();
            operation.Version = Guid.NewGuid();
            Apply(environment, operation, outcome, now);
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                break;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // The environment changed under us (a new request); read it again and re-apply.
            }
        }

        await events.AppendAsync("state", outcome.Error is { } e ? $"{outcome.State}: {e.Code}: {e.Message}" : $"{outcome.State}.",
            outcome.State.ToString().ToLowerInvariant());
        logger.LogInformation("Operation {OperationId} finished {State} {Code}", operationId, outcome.State, outcome.Error?.Code);
    }

    // The shared plan summary (the CLI prints the same), plus the advisory guardrail warnings users should see.
    private static string SummaryJson(CompiledEnvironment compiled)
    {
        var summary = JsonSerializer.SerializeToNode(Components.Planning.PlanSummary.Of(compiled.Plan, compiled.Cost), Json)!.AsObject();
        summary["policyWarnings"] = JsonSerializer.SerializeToNode(compiled.Policies.Advisory.Select(v => v.ToString()), Json);
        return summary.ToJsonString(Json);
    }

    private static void Apply(EnvironmentRecord environment, StackOperation operation, Outcome outcome, DateTimeOffset now)
    {
        var isLatest = environment.LastOperationId == operation.Id;
        environment.Version = Guid.NewGuid();
        if (outcome.State == OperationState.Succeeded)
        {
            switch (operation.Kind)
            {
                case OperationKind.Create or OperationKind.Update:
                    environment.SpecText = outcome.SpecText!;
                    environment.Team = outcome.Compiled!.Spec.Metadata.Team;

                    // The deployed spec decides the expiry: promoted to prod it never expires, a new ttl moves it. A
                    // first deployment's ttl counts from the creation, as the create request already promised.
                    environment.ExpiresAt = EnvironmentExpiry.AfterDeploy(outcome.Compiled.Spec, environment.Tier, environment.ExpiresAt,
                        operation.Kind == OperationKind.Create ? environment.CreatedAt : now);
                    environment.Tier = outcome.Compiled.Spec.Tier;
                    environment.PlanSummaryJson = SummaryJson(outcome.Compiled);
                    environment.CostJson = JsonSerializer.Serialize(outcome.Compiled.Cost, Json);
                    environment.OutputsJson = outcome.Outputs ?? environment.OutputsJson;
                    environment.Status = isLatest ? EnvironmentStatus.Ready : environment.Status;
                    break;
                case OperationKind.Refresh:
                    // A drift check changes what the stack knows, not whether the last deployment succeeded.
                    environment.OutputsJson = outcome.Outputs ?? environment.OutputsJson;
                    break;
                case OperationKind.Destroy:
                    environment.Status = EnvironmentStatus.Destroyed;
                    environment.DestroyedAt = now;
                    environment.OutputsJson = null;
                    break;
            }
        }
        else if (operation.Kind is OperationKind.Create or OperationKind.Update or OperationKind.Destroy && isLatest)
        {
            environment.Status = outcome.State == OperationState.Cancelled && operation.Kind != OperationKind.Create
                ? EnvironmentStatus.Ready
                : EnvironmentStatus.Failed;
        }

        environment.UpdatedAt = now;
    }

    /// <summary>
    /// Updates <c>Pulumi.&lt;stack&gt;.yaml</c> with the rendered non-secret config, keeping what the CLI wrote there
    /// (<c>encryptionsalt</c> of the passphrase provider, encrypted values): losing those would make the stack's
    /// secrets unreadable. Secret values are set afterwards with <c>config set --secret</c>.
    /// </summary>
    internal static void WriteStackSettings(StackWorkspace workspace, RenderedProgram program)
    {
        if (program.StackSettings is not { } settings)
        {
            return;
        }

        var file = Path.Combine(workspace.Directory, program.StackSettingsFileName);
        WriteAtomically(file, StackSettingsFile.Merge(File.Exists(file) ? File.ReadAllText(file) : null, settings));
    }

    private static void WriteAtomically(string file, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>
    /// Keeps outputs as the CLI printed them without <c>--show-secrets</c> (secret outputs read <c>[secret]</c>), and
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
    }
}
