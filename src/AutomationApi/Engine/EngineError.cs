using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.AutomationApi.Engine;

/// <summary>A precise engine failure: a stable code for clients, a message, and whether retrying can help.</summary>
/// <param name="Code">Stable machine-readable code (see <see cref="EngineErrorCodes"/>).</param>
/// <param name="Message">What the engine said (first lines of its error output).</param>
/// <param name="Transient">Whether the same command may succeed if run again.</param>
/// <param name="Lock">The lock that blocked the command, when the stack was locked.</param>
public sealed record EngineError(string Code, string Message, bool Transient, StackLock? Lock = null);

/// <summary>A stack lock named by the CLI's "currently locked" message or found in a file backend's lock file.</summary>
/// <param name="User">Who holds it.</param>
/// <param name="Host">Host of the holding process.</param>
/// <param name="Pid">Process id of the holder.</param>
public sealed record StackLock(string User, string Host, int Pid);

/// <summary>Stable engine error codes, as stored on operations.</summary>
public static class EngineErrorCodes
{
    /// <summary>The stack is locked by a live update.</summary>
    public const string Locked = "stack-locked";

    /// <summary>The stack was locked by a process that no longer exists (transient: cleared and retried).</summary>
    public const string StaleLock = "stale-lock";

    /// <summary>A provider plugin could not be downloaded or installed (transient).</summary>
    public const string Plugin = "plugin-unavailable";

    /// <summary>A network error talking to the backend or a registry (transient).</summary>
    public const string Network = "network";

    /// <summary>The Pulumi program itself is wrong (exit code 1 with a program failure). Never retried.</summary>
    public const string Program = "program-error";

    /// <summary>Generic failure (exit code 1).</summary>
    public const string Generic = "engine-error";

    /// <summary>Invalid configuration (exit code 2).</summary>
    public const string Configuration = "configuration-error";

    /// <summary>Authentication failed (exit code 3).</summary>
    public const string Authentication = "authentication-error";

    /// <summary>A resource operation failed (exit code 4).</summary>
    public const string Resource = "resource-error";

    /// <summary>A policy pack rejected the change (exit code 5).</summary>
    public const string Policy = "policy-violation";

    /// <summary>The stack does not exist (exit code 6).</summary>
    public const string StackNotFound = "stack-not-found";

    /// <summary>Cancelled (exit code 8, or on our request).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The operation ran past its timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The CLI crashed (panic, killed by a signal, exit 255 without a known message).</summary>
    public const string Crashed = "engine-crashed";

    /// <summary>The CLI is not installed where configured.</summary>
    public const string EngineMissing = "engine-missing";

    /// <summary>The deployment target's circuit is open after repeated engine failures.</summary>
    public const string CircuitOpen = "target-unavailable";

    /// <summary>The service stopped while the operation ran.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The spec no longer compiles (e.g. a target was removed from configuration).</summary>
    public const string InvalidSpec = "invalid-spec";
}

/// <summary>
/// Maps a finished CLI command to an <see cref="EngineError"/> from its documented exit codes
/// (0 success, 1 generic, 2 configuration, 3 authentication, 4 resource, 5 policy, 6 stack not found, 8 cancelled,
/// 9 timeout, 255 internal; CLIs before v3.226.1 used 255 for every error) and, for what has no code of its own
/// (locks, plugin downloads, network), its messages.
/// </summary>
public static partial class EngineErrorClassifier
{
    /// <summary>Classifies a command's outcome; <see langword="null"/> when it succeeded.</summary>
    public static EngineError? Classify(int exitCode, string output)
    {
        if (exitCode == 0)
        {
            return null;
        }

        output ??= string.Empty;
        var message = Summarise(output);

        // Messages first: a lock or a download failure has no exit code of its own.
        if (output.Contains("the stack is currently locked by", StringComparison.Ordinal) ||
            output.Contains("[409] Conflict: Another update is currently in progress.", StringComparison.Ordinal))
        {
            return new EngineError(EngineErrorCodes.Locked, message, Transient: false, ParseLock(output));
        }

        if (PluginFailure().IsMatch(output))
        {
            return new EngineError(EngineErrorCodes.Plugin, message, Transient: true);
        }

        if (NetworkFailure().IsMatch(output))
        {
            return new EngineError(EngineErrorCodes.Network, message, Transient: true);
        }

        if (output.Contains("panic:", StringComparison.Ordinal) && output.Contains("goroutine", StringComparison.Ordinal))
        {
            return new EngineError(EngineErrorCodes.Crashed, message, Transient: false);
        }

        return exitCode switch
        {
            1 when output.Contains("Program failed", StringComparison.OrdinalIgnoreCase) ||
                   output.Contains("program failed", StringComparison.Ordinal)
                => new EngineError(EngineErrorCodes.Program, message, false),
            1 => new EngineError(EngineErrorCodes.Generic, message, false),
            2 => new EngineError(EngineErrorCodes.Configuration, message, false),
            3 => new EngineError(EngineErrorCodes.Authentication, message, false),
            4 => new EngineError(EngineErrorCodes.Resource, message, false),
            5 => new EngineError(EngineErrorCodes.Policy, message, false),
            6 => new EngineError(EngineErrorCodes.StackNotFound, message, false),
            8 => new EngineError(EngineErrorCodes.Cancelled, message, false),
            9 => new EngineError(EngineErrorCodes.Timeout, message, false),
            255 when output.Contains("no stack named", StringComparison.Ordinal)
                => new EngineError(EngineErrorCodes.StackNotFound, message, false),
            255 when output.Contains("update failed", StringComparison.Ordinal)
                => new EngineError(EngineErrorCodes.Resource, message, false),
            255 when output.Contains("error:", StringComparison.Ordinal)
                => new EngineError(EngineErrorCodes.Generic, message, false),
            _ => new EngineError(EngineErrorCodes.Crashed, $"The pulumi CLI exited with code {exitCode}. {message}".Trim(), false),
        };
    }

    /// <summary>Reads the first lock out of a "currently locked" message.</summary>
    public static StackLock? ParseLock(string output)
    {
        var match = LockLine().Match(output ?? string.Empty);
        return match.Success
            ? new StackLock(match.Groups["user"].Value, match.Groups["host"].Value, int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>
    /// Whether a lock is stale: held by a process on this host that no longer exists. Locks from other hosts are
    /// never judged stale here: Pulumi calls clearing a live lock dangerous.
    /// </summary>
    public static bool IsStale(StackLock? stackLock, Func<int, bool> processExists)
    {
        ArgumentNullException.ThrowIfNull(processExists);
        return stackLock is not null && IsThisHost(stackLock.Host) && !processExists(stackLock.Pid);
    }

    /// <summary>Whether a process with the given id exists on this host.</summary>
    public static bool ProcessExists(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsThisHost(string host) =>
        string.Equals(host, System.Net.Dns.GetHostName(), StringComparison.OrdinalIgnoreCase) ||
        string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase);

    private static string Summarise(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.StartsWith("error:", StringComparison.Ordinal) || l.StartsWith("panic:", StringComparison.Ordinal)).ToList();
        var chosen = errors.Count > 0 ? errors : lines.TakeLast(3).ToList();
        var text = string.Join(" ", chosen.Take(5));
        return text.Length > 2000 ? text[..2000] : text;
    }

    [GeneratedRegex(@"created by (?<user>[^@\s]+)@(?<host>\S+) \(pid (?<pid>\d+)\)")]
    private static partial Regex LockLine();

    [GeneratedRegex(@"(could not|failed to|error) (download|install|load)(ing)? (the )?(plugin|resource plugin)|error downloading plugin|no resource plugin '[^']+' found", RegexOptions.IgnoreCase)]
    private static partial Regex PluginFailure();

    [GeneratedRegex(@"dial tcp|i/o timeout|connection reset by peer|TLS handshake timeout|no such host|503 Service Unavailable|502 Bad Gateway", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkFailure();
}
