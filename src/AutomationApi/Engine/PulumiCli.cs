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
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError, EngineError? Error, ProcessStop Stop = ProcessStop.None)
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
        await RunAsync(paths.DataDirectory, ["version"], null, cancellationToken);

    /// <summary><c>pulumi stack select &lt;stack&gt; --create --secrets-provider passphrase</c>.</summary>
    public Task<CliResult> SelectStackAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory,
            ["stack", "select", workspace.Stack, "--create", "--secrets-provider", "passphrase", "--non-interactive", "--cwd", workspace.Directory],
            null, cancellationToken);
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
        return RunAsync(workspace.Directory, arguments, secret ? value : null, cancellationToken);
    }

    /// <summary>
    /// Runs an engine command with <c>--event-log</c>, following the log while it runs and handing each event to
    /// <paramref name="onEvent"/>, then deleting the log. Cancelling <paramref name="cancellationToken"/> interrupts the CLI, waits the
    /// grace period, then kills it.
    /// </summary>
    public async Task<CliResult> RunEngineAsync(
        StackWorkspace workspace, EngineCommand command, string eventLog, Func<EngineEvent, ValueTask> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(onEvent);
        List<string> arguments = command switch
        {
            EngineCommand.Up => ["up", "--yes", "--skip-preview"],
            EngineCommand.Preview => ["preview"],
            EngineCommand.Refresh => ["refresh", "--yes", "--skip-preview"],
            EngineCommand.Destroy => ["destroy", "--yes", "--skip-preview"],
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown engine command."),
        };
        arguments.AddRange(["--event-log", eventLog]);
        arguments.AddRange(StackArguments(workspace));

        Directory.CreateDirectory(Path.GetDirectoryName(eventLog)!);
        File.Delete(eventLog);
        using var tailing = new CancellationTokenSource();
        var tail = EngineEventReader.TailAsync(eventLog, async line =>
        {
            if (EngineEventReader.Parse(line) is { } engineEvent)
            {
                await onEvent(engineEvent);
            }
        }, TailInterval, tailing.Token);
        try
        {
            return await RunAsync(workspace.Directory, arguments, null, cancellationToken);
        }
        finally
        {
            await tailing.CancelAsync();
            await tail;

            // Its events are stored (redacted) by now; the raw log may hold what a program printed, so it goes.
            File.Delete(eventLog);
        }
    }

    /// <summary>
    /// <c>pulumi stack output --json</c>, deliberately without <c>--show-secrets</c>: the CLI prints secret outputs as
    /// <c>[secret]</c>, so secret values never enter this service.
    /// </summary>
    public Task<CliResult> GetOutputsAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory, ["stack", "output", "--json", .. StackArguments(workspace)], null, cancellationToken);
    }

    /// <summary><c>pulumi cancel --yes</c>: clears a stack lock. Only call it when the lock's owner is known to be dead.</summary>
    public Task<CliResult> CancelAsync(StackWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        return RunAsync(workspace.Directory, ["cancel", "--yes", .. StackArguments(workspace)], null, cancellationToken);
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

    private async Task<CliResult> RunAsync(string workingDirectory, List<string> arguments, string? standardInput, CancellationToken cancellationToken)
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
        var result = await runner.RunAsync(
            new ProcessSpec(Executable, arguments, workingDirectory, environment, standardInput),
            options.Value.CancelGracePeriod,
            cancellationToken);
        var error = result.Stop != ProcessStop.None
            ? new EngineError(EngineErrorCodes.Cancelled, result.Stop == ProcessStop.Killed
                ? "The engine ignored the interrupt and was killed."
                : "The engine was interrupted and stopped.", Transient: false)
            : EngineErrorClassifier.Classify(result.ExitCode, result.StandardError + "\n" + result.StandardOutput);
        if (error is not null)
        {
            logger.LogWarning("pulumi {Command} failed with exit code {ExitCode}: {Code}", arguments[0], result.ExitCode, error.Code);
        }

        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError, error, result.Stop);
    }
}
