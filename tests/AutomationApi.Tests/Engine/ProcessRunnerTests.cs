using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.AutomationApi.Engine;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>
/// The engine runs in a session of its own, so a signal sent to the service's process group (Ctrl-C in the terminal
/// the service runs in) does not reach it: the one SIGINT it gets is the service's, which pulumi takes as "cancel"; a
/// second would make it quit at once with its operations pending (NewScope, pkg/backend/cancellation_scope.go,
/// pulumi/pulumi).
/// </summary>
public sealed class ProcessRunnerTests
{
    private static readonly ProcessRunner Runner = new(NullLogger<ProcessRunner>.Instance, TimeProvider.System);

    private static ProcessSpec Shell(string script) =>
        new("sh", ["-c", script], Directory.GetCurrentDirectory(), new Dictionary<string, string>());

    private static ProcessStopRequest NoStop => ProcessStopRequest.Graceful(TimeSpan.FromMinutes(1), CancellationToken.None);

    [Fact]
    public async Task TheCommandLeadsASessionOfItsOwn_AndIsTheProcessStarted()
    {
        SkipUnlessSetsid();

        // $PPID: who started the command; /proc/$$/stat fields 5 and 6: its process group and session.
        var result = await Runner.RunAsync(Shell("echo $PPID $$ $(cut -d' ' -f5,6 /proc/$$/stat)"), NoStop);

        Assert.Equal(0, result.ExitCode);
        var (parent, pid, group, session) = Numbers(result.StandardOutput) switch
        {
            [var a, var b, var c, var d] => (a, b, c, d),
            _ => throw new InvalidOperationException($"Unexpected output: {result.StandardOutput}"),
        };
        // setsid execed the command in place: its parent is this process, not a forked setsid.
        Assert.Equal(Environment.ProcessId, parent);
        Assert.Equal(pid, group);
        Assert.Equal(pid, session);
        Assert.NotEqual(OwnProcessGroup(), group);
    }

    [Fact]
    public async Task ACommandNotOnThePath_FailsToStart_WithTheFix()
    {
        var spec = new ProcessSpec("platform-no-such-pulumi", [], Directory.GetCurrentDirectory(), new Dictionary<string, string>());

        var error = await Assert.ThrowsAsync<EngineNotFoundException>(() => Runner.RunAsync(spec, NoStop));

        Assert.Contains("platform-no-such-pulumi", error.Message, StringComparison.Ordinal);
        Assert.Contains("Platform:PulumiPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileThatIsNotExecutable_FailsToStart()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only.");
        var file = Path.Combine(Path.GetTempPath(), $"platform-not-executable-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "#!/bin/sh\necho hi\n", TestContext.Current.CancellationToken);
        try
        {
            var spec = new ProcessSpec(file, [], Directory.GetCurrentDirectory(), new Dictionary<string, string>());

            await Assert.ThrowsAsync<EngineNotFoundException>(() => Runner.RunAsync(spec, NoStop));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void SkipUnlessSetsid() =>
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "setsid"))),
            "setsid(1) (util-linux) not on the PATH: the engine then runs in the service's process group.");

    private static int[] Numbers(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))];

    // Field 5 of /proc/self/stat, counted after the command name (which may hold spaces) in parentheses.
    private static int OwnProcessGroup()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }
}
