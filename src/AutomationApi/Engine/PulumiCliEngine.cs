using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;
using Platform.Components.Rendering;

namespace Platform.AutomationApi.Engine;

/// <summary>
/// The engine as the real pulumi CLI, driven the way Pulumi's Automation API drives it: every command non-interactive
/// with an explicit stack and working directory; backend, passphrase, no update check and debug commands (needed for
/// <c>--event-log</c>) in the environment. Secret config values reach the CLI on standard input, never in arguments.
/// Everything about the CLI's protocol lives here: workspace files, stack select/create, config, the event log,
/// exit codes and messages, outputs, the checkpoint, locks.
/// </summary>
public sealed class PulumiCliEngine(
    IOptions<PlatformOptions> options,
    PlatformPaths paths,
    PassphraseStore passphrase,
    ProcessRunner runner,
    ILogger<PulumiCliEngine> logger) : IStackEngine
{
    private static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The configured executable.</summary>
    public string Executable => options.Value.PulumiPath;

    /// <inheritdoc />
    public void PrepareBackend()
    {
        if (paths.LocalBackendDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary><c>pulumi version</c>: whether the CLI can be run at all.</summary>
    public async Task<EngineProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (result, output) = await RunAsync(paths.DataDirectory, ["version"], null, Graceful(cancellationToken));
            return result.Succeeded
                ? new EngineProbeResult(true, output.Trim())
                : new EngineProbeResult(false, $"'{Executable} version' failed: {result.Error!.Message.TrimEnd().TrimEnd('.')}");
        }
        catch (EngineNotFoundException ex)
        {
            // The cause alone: whoever reports it (the 503 problem, the start-up log) adds the remedy once.
            return new EngineProbeResult(false, ex.Cause);
        }
    }

    /// <inheritdoc />
    public StackWorkspace OpenWorkspace(string stack, string? scratch)
    {
        var own = paths.Workspace(stack);
        if (scratch is null)
        {
            return new StackWorkspace(own, stack);
        }

        // The program and stack settings (with the stack's encryption salt) are copied; nothing else is needed.
        var directory = paths.ScratchWorkspace(scratch);
        Directory.CreateDirectory(directory);
        if (Directory.Exists(own))
        {
            foreach (var file in Directory.EnumerateFiles(own, "Pulumi*.yaml"))
            {
                File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
            }
        }

        return new StackWorkspace(directory, stack, IsScratch: true);
    }

    /// <inheritdoc />
    public bool HasProgram(StackWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return File.Exists(Path.Combine(workspace.Directory, RenderedProgram.ProgramFileName));
    }

    /// <inheritdoc />
    public void WriteProgram(StackWorkspace workspace, RenderedProgram program)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(program);
        WriteAtomically(Path.Combine(workspace.Directory, RenderedProgram.ProgramFileName), program.Program);
    }

    /// <summary>
    /// <c>pulumi stack select &lt;stack&gt; --create --secrets-provider &lt;provider&gt;</c> (the flag applies only when the
    /// stack is created: <c>newStackSelectCmd</c> in <c>pkg/cmd/pulumi/stack/stack_select.go</c> of pulumi/pulumi), then <c>Pulumi.&lt;stack&gt;.yaml</c>
    /// updated with the rendered non-secret config, keeping what the CLI wrote there (<c>encryptionsalt</c> of the
    /// passphrase provider, encrypted values): losing those would make the stack's secrets unreadable.
    /// </summary>
    public async Task<EngineResult> SelectStackAsync(StackWorkspace workspace, RenderedProgram? program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var (result, _) = await RunAsync(workspace.Directory,
            ["stack", "select", workspace.Stack, "--create", "--secrets-provider", options.Value.SecretsProvider, "--non-interactive", "--cwd", workspace.Directory],
            null, Graceful(cancellationToken));
        if (result.Succeeded && program?.StackSettings is { } settings)
        {
            var file = Path.Combine(workspace.Directory, program.StackSettingsFileName);
            WriteAtomically(file, StackSettingsFile.Merge(File.Exists(file) ? File.ReadAllText(file) : null, settings));
        }

        return result;
    }

    /// <summary>
    /// <c>pulumi config set &lt;key&gt; --secret</c>, the value written to the command's standard input, so it never
    /// appears in a process listing or a log line. The CLI drops one trailing newline from what it reads there
    /// (<c>configSetCmd.Run</c> in pkg/cmd/pulumi/config/config.go, <c>RemoveTrailingNewline</c> in
    /// sdk/go/common/util/cmdutil/console.go, pulumi/pulumi), so one is added: a value that ends in a newline (a PEM
    /// key) arrives whole. (Newer CLIs have <c>--raw</c> for this; older ones would reject the flag.)
    /// </summary>
    public async Task<EngineResult> SetSecretAsync(StackWorkspace workspace, string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(value);
        var (result, _) = await RunAsync(workspace.Directory, ["config", "set", key, "--secret", .. StackArguments(workspace)], value + "\n", Graceful(cancellationToken));
        return result;
    }

    /// <summary>
    /// Runs an engine command with <c>--event-log</c> (a file under the logs directory named after
    /// <paramref name="runId"/>), following the log while it runs and handing each event to <paramref name="onEvent"/>,
    /// then deleting the log. Failures are classified from the log, not the exit code (current CLIs exit 1 for
    /// resource, policy and timeout failures alike).
    /// </summary>
    public async Task<EngineResult> RunAsync(
        StackWorkspace workspace, EngineCommand command, string runId, Func<EngineEvent, ValueTask> onEvent, ProcessStopRequest stop)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(onEvent);
        List<string> arguments = command switch
        {
            EngineCommand.Up => ["up", "--yes", "--skip-preview"],
            EngineCommand.Preview => ["preview"],
            EngineCommand.Refresh => ["refresh", "--yes", "--skip-preview"],
            EngineCommand.Destroy => ["destroy", "--yes", "--skip-preview"],

            // Pending creates stay in the checkpoint otherwise (a non-interactive refresh skips them; the flag is
            // registered in pkg/cmd/pulumi/operations/refresh.go of pulumi/pulumi, "Clear all pending creates,
            // dropping them from the state").
            EngineCommand.RepairRefresh => ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"],
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown engine command."),
        };
        var eventLog = Path.Combine(paths.LogsDirectory, $"{runId}.jsonl");
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
        EngineResult result;
        ProcessResult process;
        try
        {
            (result, process) = await RunProcessAsync(workspace.Directory, arguments, null, stop, classifyLater: true);
        }
        finally
        {
            await tailing.CancelAsync();
            await tail;

            // Its events are stored (redacted) by now; the raw log may hold what a program printed, so it goes.
            File.Delete(eventLog);
        }

        // Classified once the whole log is read: the failing resource's diagnostic may be among the last lines.
        return result.Stop != ProcessStop.None || process.ExitCode == 0
            ? result with { Log = log }
            : result with
            {
                Log = log,
                Error = Logged(arguments[0], process.ExitCode,
                    EngineErrorClassifier.Classify(process.ExitCode, process.StandardError + "\n" + process.StandardOutput, log)),
            };
    }

    /// <summary>
    /// <c>pulumi stack export</c>: the checkpoint's resources (with their protect flags) and pending operations. It
    /// holds secrets only encrypted (no <c>--show-secrets</c>) and is parsed here, never stored.
    /// </summary>
    public async Task<(EngineResult Result, StackState? State)> ReadStateAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var (result, output) = await RunAsync(workspace.Directory, ["stack", "export", .. StackArguments(workspace)], null, Graceful(cancellationToken));
        if (!result.Succeeded)
        {
            return (result, null);
        }

        try
        {
            return (result, StackState.Parse(output));
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (result with { Error = new EngineError(EngineErrorCodes.Generic, $"Unreadable stack export: {ex.Message}", false) }, null);
        }
    }

    /// <summary>
    /// <c>pulumi state unprotect --all --yes</c>: clears every resource's protect flag in the checkpoint
    /// (<c>pkg/cmd/pulumi/state/state_unprotect.go</c> in pulumi/pulumi).
    /// </summary>
    public async Task<EngineResult> UnprotectAllAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return (await RunAsync(workspace.Directory, ["state", "unprotect", "--all", "--yes", .. StackArguments(workspace)], null, Graceful(cancellationToken))).Result;
    }

    /// <summary>
    /// <c>pulumi stack output --json</c>, deliberately without <c>--show-secrets</c>: the CLI prints secret outputs as
    /// <c>[secret]</c>, so secret values never enter this service.
    /// </summary>
    public async Task<(EngineResult Result, string? Json)> ReadOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var (result, output) = await RunAsync(workspace.Directory, ["stack", "output", "--json", .. StackArguments(workspace)], null, Graceful(cancellationToken));
        return (result, result.Succeeded ? output : null);
    }

    /// <summary>
    /// <c>pulumi cancel --yes</c>, only when every lock of the stack is stale by <paramref name="rule"/>: it deletes
    /// them all, whoever holds them (<c>CancelCurrentUpdate</c> in <c>pkg/backend/diy/backend.go</c> of pulumi/pulumi;
    /// each lock file records the <c>pid</c>, <c>username</c> and <c>hostname</c> of the CLI that took it,
    /// <c>lockContent</c> in <c>pkg/backend/diy/lock.go</c>). Lock files are those of the local file backend; other
    /// backends list none, and then the locks named in the error decide.
    /// </summary>
    public async Task<IReadOnlyList<StackLock>> ClearStaleLocksAsync(StackWorkspace workspace, IReadOnlyList<StackLock> reported, StaleLockRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(reported);
        var locks = FindLocks(workspace.Stack) is { Count: > 0 } files ? files : reported;
        if (!EngineErrorClassifier.AllStale([.. locks], EngineErrorClassifier.ProcessExists, rule) || !HasProgram(workspace))
        {
            // No lock, or one held by a live owner; or no project to name the stack by.
            return [];
        }

        logger.LogWarning("Clearing {Count} stale lock(s) on stack {Stack} ({Rule}): {Locks}", locks.Count, workspace.Stack, rule,
            string.Join(", ", locks.Select(l => $"pid {l.Pid} on {l.Host}")));
        var (cleared, _) = await RunAsync(workspace.Directory, ["cancel", "--yes", .. StackArguments(workspace)], null, Graceful(cancellationToken));
        if (!cleared.Succeeded)
        {
            // Still stale: the command that tripped over them may try again, and meet them again.
            logger.LogWarning("Could not clear the stale lock on stack {Stack}: {Error}", workspace.Stack, cleared.Error?.Message);
        }

        return locks;
    }

    /// <summary>
    /// Deletes a scratch workspace. A preview of an environment not yet deployed created its stack from it: the
    /// environment's own settings file then gets the stack's encryption salt (and nothing else), so its first
    /// deployment can read the stack's secrets.
    /// </summary>
    public void CloseWorkspace(StackWorkspace workspace, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!workspace.IsScratch)
        {
            return;
        }

        if (succeeded)
        {
            var name = $"Pulumi.{workspace.Stack}.yaml";
            var ownSettings = Path.Combine(paths.Workspace(workspace.Stack), name);
            var scratchSettings = Path.Combine(workspace.Directory, name);
            if (!File.Exists(ownSettings) && File.Exists(scratchSettings))
            {
                var salt = File.ReadLines(scratchSettings).Where(l => l.StartsWith("encryptionsalt:", StringComparison.Ordinal)).ToList();
                if (salt.Count > 0)
                {
                    WriteAtomically(ownSettings, string.Join("\n", salt) + "\n");
                }
            }
        }

        if (Directory.Exists(workspace.Directory))
        {
            Directory.Delete(workspace.Directory, recursive: true);
        }
    }

    /// <summary>
    /// Locks held on a stack in the local file backend, exactly those <c>pulumi cancel</c> would delete: the
    /// project's, <c>.pulumi/locks/organization/&lt;project&gt;/&lt;stack&gt;/*.json</c>, or a backend without projects'
    /// <c>.pulumi/locks/&lt;stack&gt;/*.json</c> (<c>stackLockDir</c> and <c>CancelCurrentUpdate</c> in
    /// <c>pkg/backend/diy</c> of pulumi/pulumi). Another project's stack of the same name is not this one. Empty for
    /// other backends.
    /// </summary>
    internal IReadOnlyList<StackLock> FindLocks(string stack)
    {
        var root = paths.LocalBackendDirectory is { } backend ? Path.Combine(backend, ".pulumi", "locks") : null;
        if (root is null || !Directory.Exists(root))
        {
            return [];
        }

        var locks = new List<StackLock>();
        string[] directories = [Path.Combine(root, "organization", PulumiYamlRenderer.ProjectName(stack), stack), Path.Combine(root, stack)];
        foreach (var file in directories.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*.json")))
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

    private static void WriteAtomically(string file, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, file, overwrite: true);
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

    private async Task<(EngineResult Result, string Output)> RunAsync(string workingDirectory, List<string> arguments, string? standardInput, ProcessStopRequest stop)
    {
        var (result, process) = await RunProcessAsync(workingDirectory, arguments, standardInput, stop, classifyLater: false);
        return (result, process.StandardOutput);
    }

    /// <summary>The service's own environment variables that would set a pulumi flag (<c>PULUMI_OPTION_*</c>).</summary>
    internal static IEnumerable<string> InheritedFlagVariables() =>
        System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("PULUMI_OPTION_", StringComparison.OrdinalIgnoreCase));

    // classifyLater: an engine command's failure is classified once its whole event log has been read.
    private async Task<(EngineResult Result, ProcessResult Process)> RunProcessAsync(
        string workingDirectory, List<string> arguments, string? standardInput, ProcessStopRequest stop, bool classifyLater)
    {
        PrepareBackend();
        Directory.CreateDirectory(workingDirectory);
        // Names from sdk/go/common/env/env.go of pulumi/pulumi (each prefixed PULUMI_). The backend URL is passed as
        // configured; the rest of the service's environment (PULUMI_ACCESS_TOKEN for Pulumi Cloud, cloud credentials
        // for s3://, azblob://, gs:// and KMS providers) is inherited by the process.
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PULUMI_BACKEND_URL"] = paths.BackendUrl,
            ["PULUMI_CONFIG_PASSPHRASE"] = passphrase.Passphrase,
            ["PULUMI_SKIP_UPDATE_CHECK"] = "true",
            ["PULUMI_DEBUG_COMMANDS"] = "true",

            // A workspace is disposable: on a replica that never saw the stack, its Pulumi.<stack>.yaml lacks the
            // secrets provider settings (encryption salt, KMS key), and the CLI takes them from the stack's state in
            // the shared backend instead ("use the snapshot secrets manager as a fallback when the stack
            // configuration is missing or incomplete").
            ["PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"] = "true",
        };

        // Since v3.208 every flag of every command can be set by a PULUMI_OPTION_<FLAG> variable when the command line
        // does not give it (declareFlagsAsEnvironmentVariables in pkg/cmd/pulumi/pulumi.go of pulumi/pulumi): one left
        // in the service's environment would change the commands built here, and PULUMI_OPTION_SHOW_SECRETS=true would
        // make `stack output --json` print secret values. The commands are exactly what this class builds.
        foreach (var name in InheritedFlagVariables())
        {
            environment[name] = null;
        }

        // Arguments never hold secrets (secret values go to standard input), so they can be logged.
        logger.LogInformation("Running pulumi {Arguments}", string.Join(' ', arguments));
        var result = await runner.RunAsync(new ProcessSpec(Executable, arguments, workingDirectory, environment, standardInput), stop);
        var error = result.Stop != ProcessStop.None
            ? new EngineError(EngineErrorCodes.Cancelled, result.Stop == ProcessStop.Killed
                ? "The engine was killed before it finished its in-flight resource operations."
                : "The engine was interrupted and stopped after finishing its in-flight resource operations.", Transient: false)
            : classifyLater ? null : EngineErrorClassifier.Classify(result.ExitCode, result.StandardError + "\n" + result.StandardOutput);
        return (new EngineResult(Logged(arguments[0], result.ExitCode, error), result.Stop), result);
    }
}
