using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.AutomationApi.Engine;

/// <summary>A precise engine failure: a stable code for clients, a message, and whether retrying can help.</summary>
/// <param name="Code">Stable machine-readable code (see <see cref="EngineErrorCodes"/>).</param>
/// <param name="Message">What the engine said (first lines of its error output).</param>
/// <param name="Transient">Whether the same command may succeed if run again.</param>
/// <param name="Lock">The first lock that blocked the command, when the stack was locked.</param>
/// <param name="Locks">Every lock the locked message named.</param>
public sealed record EngineError(string Code, string Message, bool Transient, StackLock? Lock = null, IReadOnlyList<StackLock>? Locks = null);

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

    /// <summary>A destroy was refused before it started because the stack holds protected resources.</summary>
    public const string Protected = "protected-resources";

    /// <summary>The spec no longer compiles (e.g. a target was removed from configuration).</summary>
    public const string InvalidSpec = "invalid-spec";
}

/// <summary>
/// Maps a finished CLI command to an <see cref="EngineError"/>. The engine's event log decides first: a failed
/// resource (<c>resOpFailedEvent</c> and the error diagnostic naming its URN), a mandatory policy violation
/// (<c>policyEvent</c>) or a program diagnostic from the language host. Exit codes come next, because since v3.226
/// the CLI has distinct codes only for configuration (2), authentication (3), stack not found (6) and cancellation
/// (8), while resource, policy and timeout failures still exit 1 (<c>ExitCodeFor</c> in
/// <c>pkg/cmd/pulumi/cmd/exit_codes.go</c> of pulumi/pulumi; CLIs before that used 255 for every error). Even 8 is
/// rare: an update interrupted while its engine runs ends in a bail error, exit 1, and one interrupted before the engine
/// started dies by the signal; a cancellation the service asked for is known by its own request, never by the code
/// (<c>PulumiCliEngine</c>). What has no code of its own (locks, plugin downloads, network) is recognised by its
/// message.
/// </summary>
public static partial class EngineErrorClassifier
{
    /// <summary>Classifies a command's outcome; <see langword="null"/> when it succeeded.</summary>
    /// <param name="exitCode">The CLI's exit code.</param>
    /// <param name="output">Its standard error and output.</param>
    /// <param name="log">What its event log said, for engine commands.</param>
    public static EngineError? Classify(int exitCode, string output, EngineLog? log = null)
    {
        if (exitCode == 0)
        {
            return null;
        }

        output ??= string.Empty;
        var diagnostics = log?.Text ?? string.Empty;
        var everything = output + "\n" + diagnostics;
        var message = Summarise(output, log);

        // A plugin download that failed and is retried says so in a warning, with the failure's own words ("dial tcp",
        // "502 Bad Gateway"). A download that then succeeded leaves that warning in the output of a command that failed
        // for another reason, so only the final failure, not a retry, marks a plugin or the network as the cause.
        var settled = DownloadRetry().Replace(everything, "");

        // Messages first: a lock or a download failure has no exit code of its own.
        if (everything.Contains("the stack is currently locked by", StringComparison.Ordinal) ||
            everything.Contains("[409] Conflict: Another update is currently in progress.", StringComparison.Ordinal))
        {
            var locks = ParseLocks(everything);
            return new EngineError(EngineErrorCodes.Locked, message, Transient: false, locks.Count > 0 ? locks[0] : null, locks);
        }

        if (PluginFailure().IsMatch(settled))
        {
            return new EngineError(EngineErrorCodes.Plugin, message, Transient: true);
        }

        if (NetworkFailure().IsMatch(settled))
        {
            return new EngineError(EngineErrorCodes.Network, message, Transient: true);
        }

        // A panic the CLI's last-resort handler caught (the main goroutine's, and the engine's, which it re-raises
        // there) prints its banner, "Panic:" and a stack, and exits 1 (panicHandler in pkg/cmd/pulumi/main.go,
        // pulumi/pulumi); one in another goroutine is the Go runtime's own report, "panic:" and goroutine stacks, exit 2.
        if (output.Contains("The Pulumi CLI encountered a fatal error", StringComparison.Ordinal) ||
            (output.Contains("panic:", StringComparison.Ordinal) && output.Contains("goroutine", StringComparison.Ordinal)))
        {
            return new EngineError(EngineErrorCodes.Crashed, message, Transient: false);
        }

        if (log is not null && FromLog(log) is { } logged)
        {
            return logged;
        }

        return exitCode switch
        {
            1 when output.Contains("Program failed", StringComparison.OrdinalIgnoreCase)
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

    // Policy violations first (they stop a change before resources fail), then failed resources, then the program.
    private static EngineError? FromLog(EngineLog log)
    {
        if (log.Violations is { Count: > 0 } violations)
        {
            return new EngineError(EngineErrorCodes.Policy, Clip(string.Join(" ", violations.Select(v =>
                $"Policy '{v.Policy}' of pack '{v.Pack}' rejected {(v.Resource is { } r ? r.ToString() : "the stack")}: {v.Message.Trim()}"))), false);
        }

        if (log.FailedResources is { Count: > 0 } failed)
        {
            return new EngineError(EngineErrorCodes.Resource, Clip(string.Join(" ", failed.Select(f =>
                $"Resource {f.Resource} failed to {Verb(f.Op)}: {log.ReasonFor(f.Resource.Urn) ?? "the engine gave no reason"}."))), false);
        }

        if (log.ProgramFailure() is { } program)
        {
            return new EngineError(EngineErrorCodes.Program, Clip(program), false);
        }

        // An error diagnostic about one resource without a failed step (e.g. a protected resource in a replace).
        if (log.Errors.FirstOrDefault(e => e.Urn is { Length: > 0 } urn && !urn.Contains("::pulumi:pulumi:Stack::", StringComparison.Ordinal)) is { Urn: { } errorUrn } error)
        {
            return new EngineError(EngineErrorCodes.Resource, Clip($"Resource {ResourceName.FromUrn(errorUrn)}: {error.Message.Trim()}"), false);
        }

        return null;
    }

    private static string Verb(string op) => op switch
    {
        "create" or "create-replacement" => "create",
        "delete" or "delete-replaced" => "delete",
        "replace" => "replace",
        "read" or "refresh" => "read",
        "import" => "import",
        _ => "update",
    };

    /// <summary>Reads the first lock out of a "currently locked" message.</summary>
    public static StackLock? ParseLock(string output) => ParseLocks(output) is { Count: > 0 } locks ? locks[0] : null;

    /// <summary>
    /// Reads every lock out of a "currently locked" message: the diy backend names each lock file on a line of its
    /// own (<c>pkg/backend/diy/lock.go</c> in pulumi/pulumi).
    /// </summary>
    public static IReadOnlyList<StackLock> ParseLocks(string output) =>
        [.. LockLine().Matches(output ?? string.Empty).Select(match =>
            new StackLock(match.Groups["user"].Value, match.Groups["host"].Value, int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture)))
            .Distinct()];

    /// <summary>
    /// Whether every one of a stack's locks is stale. <c>pulumi cancel</c> deletes every lock file of the stack
    /// (<c>CancelCurrentUpdate</c> in <c>pkg/backend/diy/backend.go</c> of pulumi/pulumi), so clearing is safe only
    /// when no lock is held by a live process, never because the first lock named is stale.
    /// </summary>
    public static bool AllStale(IReadOnlyCollection<StackLock> locks, Func<int, bool> processExists, StaleLockRule rule = StaleLockRule.DeadProcess)
    {
        ArgumentNullException.ThrowIfNull(locks);
        return locks.Count > 0 && locks.All(l => IsStale(l, processExists, rule));
    }

    /// <summary>
    /// Whether a lock is stale. By <see cref="StaleLockRule.DeadProcess"/>: held by a process on this host that no
    /// longer exists; locks from other hosts are never judged stale (Pulumi calls clearing a live lock dangerous). By
    /// <see cref="StaleLockRule.Lease"/>: the caller's lease vouches that the lock's owner is gone, wherever it ran,
    /// so only a live process on this host keeps its lock.
    /// </summary>
    public static bool IsStale(StackLock? stackLock, Func<int, bool> processExists, StaleLockRule rule = StaleLockRule.DeadProcess)
    {
        ArgumentNullException.ThrowIfNull(processExists);
        if (stackLock is null)
        {
            return false;
        }

        var here = IsThisHost(stackLock.Host);
        return rule == StaleLockRule.Lease
            ? !here || !processExists(stackLock.Pid)
            : here && !processExists(stackLock.Pid);
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

    /// <summary>
    /// The engine's own explanation: each <c>error:</c> line with the lines that continue it (the engine wraps its
    /// reasons, e.g. "cannot be deleted" then "because it is protected"), else the error diagnostics of the event
    /// log, else the last lines of output.
    /// </summary>
    private static string Summarise(string output, EngineLog? log)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var kept = new List<string>();
        var inError = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("error:", StringComparison.Ordinal) || line.StartsWith("panic:", StringComparison.Ordinal))
            {
                inError = true;
            }
            else if (line.Length == 0 || line.StartsWith("warning:", StringComparison.Ordinal) || line.StartsWith("info:", StringComparison.Ordinal))
            {
                inError = false;
            }

            if (inError && line.Length > 0)
            {
                kept.Add(line);
            }
        }

        var diagnostics = log?.Errors.Select(e => e.Message.Trim()).Where(m => m.Length > 0 && m != "update failed").ToList() ?? [];
        var onlyGeneric = kept.All(l => l is "error: update failed" or "error: preview failed" or "error: destroy failed" or "error: refresh failed");
        var chosen = kept.Count > 0 && !(onlyGeneric && diagnostics.Count > 0)
            ? kept
            : diagnostics.Count > 0 ? diagnostics : [.. lines.Where(l => l.Length > 0).TakeLast(3)];
        return Clip(string.Join(" ", chosen.Take(12)));
    }

    private static string Clip(string text) => text.Length > 2000 ? text[..2000] : text;

    [GeneratedRegex(@"created by (?<user>[^@\s]+)@(?<host>\S+) \(pid (?<pid>\d+)\)")]
    private static partial Regex LockLine();

    // Today's final messages: "Could not automatically download and install resource plugin 'pulumi-resource-aws' ..."
    // wrapping "error downloading provider aws to file: ..." (InstallPluginError and downloadPlugin in
    // pkg/workspace/plugin.go of pulumi/pulumi); the older wordings stay for older CLIs.
    [GeneratedRegex(@"could not automatically download and install|error downloading provider \S+ to file|(could not|failed to|error) (download|install|load)(ing)? (the )?(plugin|resource plugin)|error downloading plugin|no resource plugin '[^']+' found", RegexOptions.IgnoreCase)]
    private static partial Regex PluginFailure();

    // The retry's warning, "error downloading provider: <error>\nWill retry in <delay> [<n>/<limit>]" (the retry
    // callback of downloadPlugin in pkg/workspace/plugin.go of pulumi/pulumi), however many lines its error takes.
    [GeneratedRegex(@"error downloading provider: [\s\S]*?Will retry in \S+ \[\d+/\d+\]")]
    private static partial Regex DownloadRetry();

    [GeneratedRegex(@"dial tcp|i/o timeout|connection reset by peer|TLS handshake timeout|no such host|503 Service Unavailable|502 Bad Gateway", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkFailure();
}
