using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Engine;

/// <summary>A stack and the workspace directory holding its Pulumi.yaml.</summary>
/// <param name="Directory">Workspace directory (passed as <c>--cwd</c>).</param>
/// <param name="Stack">Stack name (passed as <c>--stack</c>).</param>
public sealed record StackWorkspace(string Directory, string Stack);

/// <summary>The outcome of one CLI command.</summary>
/// <param name="ExitCode">Exit code.</param>
/// <param name="StandardOutput">Standard output.</param>
/// <param name="StandardError">Standard error.</param>
/// <param name="Error">The classified failure, or <see langword="null"/> on success.</param>
/// <param name="Stop">Whether the command was interrupted or killed on request.</param>
/// <param name="Log">What an engine command's event log said (failed resources, applied changes, in-flight operations).</param>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError, EngineError? Error, ProcessStop Stop = ProcessStop.None, EngineLog? Log = null)
{
    /// <summary>Whether the command succeeded.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>The engine commands that change or inspect a stack and write an event log.</summary>
public enum EngineCommand
{
    /// <summary><c>pulumi up --yes --skip-preview</c>.</summary>
    Up,

    /// <summary><c>pulumi preview</c>.</summary>
    Preview,

    /// <summary><c>pulumi refresh --yes --skip-preview</c>.</summary>
    Refresh,

    /// <summary><c>pulumi destroy --yes --skip-preview</c>.</summary>
    Destroy,

    /// <summary>
    /// <c>pulumi refresh --yes --skip-preview --clear-pending-creates</c>: the repair after an engine was killed. Pending
    /// creates stay in the checkpoint otherwise (a non-interactive refresh skips them; the flag is registered in
    /// <c>pkg/cmd/pulumi/operations/refresh.go</c> of pulumi/pulumi, "Clear all pending creates, dropping them from the state").
    /// </summary>
    RepairRefresh,
}

/// <summary>A resource in a stack's checkpoint (<c>pulumi stack export</c>).</summary>
/// <param name="Resource">Its name and type.</param>
/// <param name="Protect">Whether the engine refuses to delete it.</param>
public sealed record StackResource(ResourceName Resource, bool Protect);

/// <summary>A resource operation the engine started and never finished (a checkpoint's <c>pending_operations</c>).</summary>
/// <param name="Resource">Its name and type.</param>
/// <param name="Type"><c>creating</c>, <c>updating</c>, <c>deleting</c>, <c>reading</c>, <c>importing</c>.</param>
public sealed record PendingOperation(ResourceName Resource, string Type);

/// <summary>What a stack's checkpoint holds.</summary>
/// <param name="Resources">Its resources.</param>
/// <param name="PendingOperations">Operations left pending by an engine that was killed.</param>
public sealed record StackState(IReadOnlyList<StackResource> Resources, IReadOnlyList<PendingOperation> PendingOperations)
{
    /// <summary>
    /// Reads <c>pulumi stack export</c> output: <c>{version, deployment: {resources: [{urn, type, protect}],
    /// pending_operations: [{resource: {urn, type}, type}]}}</c> (<c>DeploymentV3</c>, <c>ResourceV3</c>,
    /// <c>OperationV2</c> in <c>sdk/go/common/apitype/core.go</c> of pulumi/pulumi).
    /// </summary>
    public static StackState Parse(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        if (!document.RootElement.TryGetProperty("deployment", out var deployment) || deployment.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return new StackState([], []);
        }

        var resources = new List<StackResource>();
        if (deployment.TryGetProperty("resources", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var resource in list.EnumerateArray())
            {
                if (Text(resource, "urn") is { } urn)
                {
                    var name = ResourceName.FromUrn(urn);
                    resources.Add(new StackResource(name with { Type = Text(resource, "type") ?? name.Type },
                        resource.TryGetProperty("protect", out var protect) && protect.ValueKind == System.Text.Json.JsonValueKind.True));
                }
            }
        }

        var pending = new List<PendingOperation>();
        if (deployment.TryGetProperty("pending_operations", out var operations) && operations.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var operation in operations.EnumerateArray())
            {
                if (operation.TryGetProperty("resource", out var resource) && Text(resource, "urn") is { } urn)
                {
                    pending.Add(new PendingOperation(ResourceName.FromUrn(urn), Text(operation, "type") ?? "unknown"));
                }
            }
        }

        return new StackState(resources, pending);
    }

    private static string? Text(System.Text.Json.JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// Drives the real pulumi CLI the way Pulumi's Automation API does: every command non-interactive with an explicit
/// stack and working directory; backend, passphrase, no update check and debug commands (needed for
/// <c>--event-log</c>) in the environment. Secret config values reach the CLI on standard input, never in arguments.
/// </summary>
public sealed class PulumiCli(
    IOptions<PlatformOptions> options,
    PlatformPaths paths,
    PassphraseStore passphrase,
    ProcessRunner runner,
    ILogger<PulumiCli> logger)
{
    private static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The configured executable.</summary>
    public string Executable => options.Value.PulumiPath;

    /// <summary>Creates what the backend needs before first use (the directory of a local file backend).</summary>
    public void PrepareBackend()
    {
        if (paths.LocalBackendDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary><c>pulumi version</c>: whether the CLI can be run at all.</summary>
    public async Task<CliResult> VersionAsync(CancellationToken cancellationToken) =>
        await RunAsync(paths.DataDirectory, ["version"], null, Graceful(cancellationToken));

    /// <summary><c>pulumi stack select &lt;stack&gt; --create --secrets-provider passphrase</c>.</summary>
    public Task<CliResult> SelectStackAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory,
            ["stack", "select", workspace.Stack, "--create", "--secrets-provider", "passphrase", "--non-interactive", "--cwd", workspace.Directory],
            null, Graceful(cancellationToken));
    }

    /// <summary>
    /// <c>pulumi config set &lt;key&gt; [--secret]</c>. A secret value is written to the command's standard input, so it
    /// never appears in a process listing or a log line; plain values are passed as the argument.
    /// </summary>
    public Task<CliResult> SetConfigAsync(StackWorkspace workspace, string key, string value, bool secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        List<string> arguments = ["config", "set", key];
        if (secret)
        {
            arguments.Add("--secret");
        }
        else
        {
            arguments.Add(value);
        }

        arguments.AddRange(StackArguments(workspace));
        return RunAsync(workspace.Directory, arguments, secret ? value : null, Graceful(cancellationToken));
    }

    /// <summary>
    /// Runs an engine command with <c>--event-log</c>, following the log while it runs and handing each event to
    /// <paramref name="onEvent"/>, then deleting the log. The result carries what the log said, and failures are
    /// classified from it. <paramref name="stop"/> interrupts the CLI and kills it only on a force-cancel or after
    /// the grace period.
    /// </summary>
    public async Task<CliResult> RunEngineAsync(
        StackWorkspace workspace, EngineCommand command, string eventLog, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(onEvent);
        List<string> arguments = command switch
        {
            EngineCommand.Up => ["up", "--yes", "--skip-preview"],
            EngineCommand.Preview => ["preview"],
            EngineCommand.Refresh => ["refresh", "--yes", "--skip-preview"],
            EngineCommand.Destroy => ["destroy", "--yes", "--skip-preview"],
            EngineCommand.RepairRefresh => ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"],
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown engine command."),
        };
        arguments.AddRange(["--event-log", eventLog]);
        arguments.AddRange(StackArguments(workspace));

        Directory.CreateDirectory(Path.GetDirectoryName(eventLog)!);
        File.Delete(eventLog);
        using var tailing = new CancellationTokenSource();
        var log = new EngineLog();
        var tail = EngineEventReader.TailAsync(eventLog, async line =>
        {
            if (EngineEventReader.Parse(line) is { } engineEvent)
            {
                log.Observe(engineEvent);
                await onEvent(engineEvent);
            }
        }, TailInterval, tailing.Token);
        CliResult result;
        try
        {
            result = await RunAsync(workspace.Directory, arguments, null, stop, classifyLater: true);
        }
        finally
        {
            await tailing.CancelAsync();
            await tail;

            // Its events are stored (redacted) by now; the raw log may hold what a program printed, so it goes.
            File.Delete(eventLog);
        }

        // Classified once the whole log is read: the failing resource's diagnostic may be among the last lines.
        return result.Stop != ProcessStop.None || result.ExitCode == 0
            ? result with { Log = log }
            : result with { Log = log, Error = Logged(arguments[0], result.ExitCode, EngineErrorClassifier.Classify(result.ExitCode, result.StandardError + "\n" + result.StandardOutput, log)) };
    }

    /// <summary>
    /// <c>pulumi stack export</c>: the checkpoint's resources (with their protect flags) and pending operations. It
    /// holds secrets only encrypted (no <c>--show-secrets</c>) and is parsed here, never stored.
    /// </summary>
    public async Task<(CliResult Result, StackState? State)> ExportStackAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var result = await RunAsync(workspace.Directory, ["stack", "export", .. StackArguments(workspace)], null, Graceful(cancellationToken));
        if (!result.Succeeded)
        {
            return (result, null);
        }

        try
        {
            return (result, StackState.Parse(result.StandardOutput));
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (result with { Error = new EngineError(EngineErrorCodes.Generic, $"Unreadable stack export: {ex.Message}", false) }, null);
        }
    }

    /// <summary>
    /// <c>pulumi state unprotect --all --yes</c>: clears every resource's protect flag in the checkpoint
    /// (<c>pkg/cmd/pulumi/state/state_unprotect.go</c> in pulumi/pulumi), the audited override before a forced destroy.
    /// </summary>
    public Task<CliResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory, ["state", "unprotect", "--all", "--yes", .. StackArguments(workspace)], null, Graceful(cancellationToken));
    }

    /// <summary>
    /// <c>pulumi stack output --json</c>, deliberately without <c>--show-secrets</c>: the CLI prints secret outputs as
    /// <c>[secret]</c>, so secret values never enter this service.
    /// </summary>
    public Task<CliResult> GetOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory, ["stack", "output", "--json", .. StackArguments(workspace)], null, Graceful(cancellationToken));
    }

    /// <summary><c>pulumi cancel --yes</c>: clears a stack lock. Only call it when the lock's owner is known to be dead.</summary>
    public Task<CliResult> CancelAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory, ["cancel", "--yes", .. StackArguments(workspace)], null, Graceful(cancellationToken));
    }

    /// <summary>
    /// Locks held on a stack in the local file backend (<c>.pulumi/locks/&lt;org&gt;/&lt;project&gt;/&lt;stack&gt;/*.json</c>);
    /// empty for other backends.
    /// </summary>
    public IReadOnlyList<StackLock> FindLocks(string stack)
    {
        var root = paths.LocalBackendDirectory is { } backend ? Path.Combine(backend, ".pulumi", "locks") : null;
        if (root is null || !Directory.Exists(root))
        {
            return [];
        }

        var locks = new List<StackLock>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == stack))
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
                var lockRoot = document.RootElement;
                locks.Add(new StackLock(
                    lockRoot.TryGetProperty("username", out var u) ? u.GetString() ?? "" : "",
                    lockRoot.TryGetProperty("hostname", out var h) ? h.GetString() ?? "" : "",
                    lockRoot.TryGetProperty("pid", out var p) && p.TryGetInt32(out var pid) ? pid : 0));
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
            {
                logger.LogWarning(ex, "Unreadable lock file {File}", file);
            }
        }

        return locks;
    }

    private static string[] StackArguments(StackWorkspace workspace) =>
        ["--stack", workspace.Stack, "--non-interactive", "--cwd", workspace.Directory];

    private ProcessStopRequest Graceful(CancellationToken cancellationToken) => ProcessStopRequest.Graceful(options.Value.CancelGracePeriod, cancellationToken);

    private EngineError? Logged(string command, int exitCode, EngineError? error)
    {
        if (error is not null)
        {
            logger.LogWarning("pulumi {Command} failed with exit code {ExitCode}: {Code}", command, exitCode, error.Code);
        }

        return error;
    }

    // classifyLater: an engine command's failure is classified once its whole event log has been read.
    private async Task<CliResult> RunAsync(string workingDirectory, List<string> arguments, string? standardInput, ProcessStopRequest stop, bool classifyLater = false)
    {
        PrepareBackend();
        Directory.CreateDirectory(workingDirectory);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PULUMI_BACKEND_URL"] = paths.BackendUrl,
            ["PULUMI_CONFIG_PASSPHRASE"] = passphrase.Passphrase,
            ["PULUMI_SKIP_UPDATE_CHECK"] = "true",
            ["PULUMI_DEBUG_COMMANDS"] = "true",
        };

        // Arguments never hold secrets (secret values go to standard input), so they can be logged.
        logger.LogInformation("Running pulumi {Arguments}", string.Join(' ', arguments));
        var result = await runner.RunAsync(new ProcessSpec(Executable, arguments, workingDirectory, environment, standardInput), stop);
        var error = result.Stop != ProcessStop.None
            ? new EngineError(EngineErrorCodes.Cancelled, result.Stop == ProcessStop.Killed
                ? "The engine was killed before it finished its in-flight resource operations."
                : "The engine was interrupted and stopped after finishing its in-flight resource operations.", Transient: false)
            : classifyLater ? null : EngineErrorClassifier.Classify(result.ExitCode, result.StandardError + "\n" + result.StandardOutput);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError, Logged(arguments[0], result.ExitCode, error), result.Stop);
    }
}
