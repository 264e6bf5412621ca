using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Platform.AutomationApi.Engine;

/// <summary>A process to run.</summary>
/// <param name="FileName">Executable.</param>
/// <param name="Arguments">Arguments, passed verbatim (no shell).</param>
/// <param name="WorkingDirectory">Working directory.</param>
/// <param name="Environment">Extra environment variables.</param>
/// <param name="StandardInput">Text written to standard input (how secret values reach the CLI), or <see langword="null"/>.</param>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
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

    /// <summary>It ignored the interrupt for the grace period and was killed.</summary>
    Killed,
}

/// <summary>The executable does not exist or cannot be started.</summary>
public sealed class EngineNotFoundException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Runs a process to completion. When the token is cancelled, the process is interrupted the way a terminal user
/// would (SIGINT, which pulumi answers by cancelling the update and releasing its lock), given a grace period, and
/// only then killed: <see cref="Process.Kill()"/> alone is SIGKILL, which leaves locks and pending operations behind.
/// </summary>
public sealed class ProcessRunner(ILogger<ProcessRunner> logger)
{
    /// <summary>Runs <paramref name="spec"/>; stopping on <paramref name="stop"/> as described on the type.</summary>
    /// <exception cref="EngineNotFoundException">The executable cannot be started.</exception>
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, TimeSpan gracePeriod, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(spec.FileName)
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
        foreach (var argument in spec.Arguments)
        {
            process.StartInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            process.StartInfo.Environment[key] = value;
        }

        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new EngineNotFoundException($"Cannot start the pulumi CLI '{spec.FileName}': {ex.Message}. Install pulumi or set Platform:PulumiPath.", ex);
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
        try
        {
            await process.WaitForExitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            outcome = await StopAsync(process, gracePeriod);
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr, outcome);
    }

    private async Task<ProcessStop> StopAsync(Process process, TimeSpan gracePeriod)
    {
        if (process.HasExited)
        {
            return ProcessStop.None;
        }

        logger.LogInformation("Interrupting process {Pid}", process.Id);
        await Interrupt(process.Id);
        using var grace = new CancellationTokenSource(gracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token);
            return ProcessStop.Interrupted;
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Process {Pid} ignored the interrupt for {Grace}; killing it", process.Id, gracePeriod);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return ProcessStop.Killed;
        }
    }

    private static async Task Interrupt(int pid)
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
