using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Platform.AutomationApi.Engine;

/// <summary>A process to run.</summary>
/// <param name="FileName">Executable.</param>
/// <param name="Arguments">Arguments, passed verbatim (no shell).</param>
/// <param name="WorkingDirectory">Working directory.</param>
/// <param name="Environment">Environment variables set for the process on top of this one's; a <see langword="null"/> value removes an inherited one.</param>
/// <param name="StandardInput">Text written to standard input (how secret values reach the CLI), or <see langword="null"/>.</param>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment,
    string? StandardInput = null);

/// <summary>How a process ended.</summary>
/// <param name="ExitCode">Exit code (-1 when it could not start).</param>
/// <param name="StandardOutput">Everything it wrote to standard output.</param>
/// <param name="StandardError">Everything it wrote to standard error.</param>
/// <param name="Stop">Whether it was interrupted or killed on our request.</param>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, ProcessStop Stop);

/// <summary>Whether and how a process was stopped before it ended on its own.</summary>
public enum ProcessStop
{
    /// <summary>It ended on its own.</summary>
    None,

    /// <summary>It ended after an interrupt (SIGINT), within the grace period.</summary>
    Interrupted,

    /// <summary>It was killed: on a force-cancel, or because it ignored the interrupt for the grace period.</summary>
    Killed,
}

/// <summary>The executable does not exist or cannot be started; the message says what cannot run and how to fix it.</summary>
/// <param name="cause">What cannot run, as one sentence without its final period or a remedy.</param>
/// <param name="inner">The error that stopped it from starting, if any.</param>
public sealed class EngineNotFoundException(string cause, Exception? inner = null)
    : Exception($"{cause}. {Remedy}", inner)
{
    /// <summary>How to fix it, as a sentence.</summary>
    public const string Remedy = "Install pulumi or set Platform:PulumiPath.";

    /// <summary>What cannot run, without a remedy: for callers that give their own (the 503 problem, the start-up log).</summary>
    public string Cause { get; } = cause;
}

/// <summary>
/// How to stop a running command. <see cref="Interrupt"/> sends SIGINT once: the engine then stops starting new
/// resource operations, waits for the ones in flight and releases its lock (upstream warns that terminating early
/// "may lead to orphaned resources", <c>pkg/backend/cancellation_scope.go</c> in pulumi/pulumi). <see cref="Kill"/>
/// ends it at once: only an explicit force-cancel fires it, or <see cref="GracePeriod"/> passing after the interrupt.
/// </summary>
/// <param name="GracePeriod">How long an interrupted engine gets before it is killed.</param>
/// <param name="Kill">Fired to kill without waiting (force-cancel).</param>
/// <param name="Interrupt">Fired to interrupt (cancel requested, timeout, host stopping).</param>
public sealed record ProcessStopRequest(TimeSpan GracePeriod, CancellationToken Kill, CancellationToken Interrupt)
{
    /// <summary>A request for a command that is stopped like any other: interrupt, then kill after the grace period.</summary>
    public static ProcessStopRequest Graceful(TimeSpan gracePeriod, CancellationToken interrupt) => new(gracePeriod, CancellationToken.None, interrupt);
}

/// <summary>
/// Runs a process to completion. When asked to stop, the process is interrupted the way a terminal user would
/// (SIGINT, which pulumi answers by finishing in-flight resource operations, cancelling the update and releasing its
/// lock), and killed only on an explicit kill request or after the grace period, measured on the injected clock.
/// <see cref="Process.Kill()"/> alone is SIGKILL, which leaves locks and pending operations behind.
/// </summary>
public sealed class ProcessRunner(ILogger<ProcessRunner> logger, TimeProvider time)
{
    /// <summary>Runs <paramref name="spec"/> until it ends, stopping it as <paramref name="stop"/> asks.</summary>
    /// <exception cref="EngineNotFoundException">The executable cannot be started.</exception>
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, ProcessStopRequest stop)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(stop);
        var (fileName, prefix) = InOwnSession(spec.FileName);
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(fileName)
            {
                WorkingDirectory = spec.WorkingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            },
        };
        foreach (var argument in prefix.Concat(spec.Arguments))
        {
            process.StartInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                process.StartInfo.Environment.Remove(key);
            }
            else
            {
                process.StartInfo.Environment[key] = value;
            }
        }

        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new EngineNotFoundException($"Cannot start the pulumi CLI '{spec.FileName}': {ex.Message.TrimEnd('.')}", ex);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (spec.StandardInput is { } input)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited before reading its input; its exit code tells the story.
        }

        var outcome = ProcessStop.None;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Interrupt, stop.Kill);
        try
        {
            await process.WaitForExitAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
            outcome = await StopAsync(process, stop);
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr, outcome);
    }

    // The command runs in a session of its own, where setsid(1) (util-linux) is installed. In the service's process
    // group it would get every signal sent to that group — Ctrl-C in the terminal the service runs in — and the SIGINT
    // the service sends it on stopping would be its second, on which pulumi quits at once and leaves its resource
    // operations pending (the first cancels, the next terminates; SIGINT and SIGTERM alike: NewScope,
    // pkg/backend/cancellation_scope.go, pulumi/pulumi). setsid(1) forks only when it leads a process group, which a
    // child of ours never does: it execs the command in place, so the process signalled and waited for is the command.
    // The command is looked up here, as starting it directly would (an absolute or relative path, or the PATH), so a
    // missing one still fails to start instead of failing inside setsid.
    private static readonly string? Setsid = OperatingSystem.IsLinux() ? OnPath("setsid") : null;

    /// <summary>Whether commands run in a session of their own (setsid(1) is installed).</summary>
    internal static bool StartsInOwnSession => Setsid is not null;

    private static (string FileName, string[] Prefix) InOwnSession(string fileName)
    {
        if (Setsid is null)
        {
            return (fileName, []);
        }

        var isPath = fileName.Contains('/', StringComparison.Ordinal);
        var command = isPath ? Path.GetFullPath(fileName) : OnPath(fileName);
        return command is not null && (!isPath || IsExecutable(command))
            ? (Setsid, [command])
            : throw new EngineNotFoundException($"Cannot start the pulumi CLI '{fileName}': no executable file by that name{(isPath ? "" : " on the PATH")}");
    }

    private static string? OnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);

    private static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) &&
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private async Task<ProcessStop> StopAsync(Process process, ProcessStopRequest stop)
    {
        if (process.HasExited)
        {
            return ProcessStop.None;
        }

        if (!stop.Kill.IsCancellationRequested)
        {
            // The grace period starts before the interrupt is sent, so whoever sees the interrupt arrive (a test driving
            // the clock) knows the grace period is already running.
            using var grace = new CancellationTokenSource(stop.GracePeriod, time);
            logger.LogInformation("Interrupting process {Pid}; it gets {Grace} to finish its in-flight resource operations", process.Id, stop.GracePeriod);
            await Interrupt(process.Id);
            using var killOrGrace = CancellationTokenSource.CreateLinkedTokenSource(grace.Token, stop.Kill);
            try
            {
                await process.WaitForExitAsync(killOrGrace.Token);
                return ProcessStop.Interrupted;
            }
            catch (OperationCanceledException)
            {
                if (process.HasExited)
                {
                    return ProcessStop.Interrupted;
                }
            }
        }

        logger.LogWarning("Killing process {Pid} ({Reason})", process.Id, stop.Kill.IsCancellationRequested ? "force-cancel" : $"still running {stop.GracePeriod} after the interrupt");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        return ProcessStop.Killed;
    }

    /// <summary>Sends SIGINT to process <paramref name="pid"/> (nothing on Windows).</summary>
    internal static async Task Interrupt(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            // No SIGINT for a process without a console of ours: the grace period then ends in a kill.
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        });
        if (kill is not null)
        {
            await kill.WaitForExitAsync(CancellationToken.None);
        }
    }
}
