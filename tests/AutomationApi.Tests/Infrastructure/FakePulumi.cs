namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>The scripted stand-in for the pulumi CLI (FakePulumi/pulumi) and the files it shares with a test.</summary>
public sealed class FakePulumi
{
    public FakePulumi(string backendDirectory)
    {
        BackendDirectory = backendDirectory;
        Directory.CreateDirectory(StateDirectory);
    }

    /// <summary>The script, copied next to the tests and made executable.</summary>
    public static string Executable { get; } = Prepare();

    public string BackendDirectory { get; }

    public string StateDirectory => Path.Combine(BackendDirectory, ".fake");

    /// <summary>Sets the behaviour of one command (<c>up</c>, <c>preview</c>, <c>refresh</c>, <c>destroy</c>).</summary>
    public void Behave(string command, string mode) =>
        File.AppendAllText(Path.Combine(StateDirectory, "behaviour"), $"{command}={mode}\n");

    /// <summary>Every call's argv, in order.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            var file = Path.Combine(StateDirectory, "calls.log");
            return File.Exists(file) ? File.ReadAllLines(file) : [];
        }
    }

    /// <summary>Calls of one command (first word of argv).</summary>
    public IReadOnlyList<string> CallsOf(string command) =>
        [.. Calls.Where(c => c.StartsWith(command + " ", StringComparison.Ordinal) || c == command)];

    /// <summary>The secret config values the fake received (key=value lines), for a stack.</summary>
    public string SecretConfig(string stack)
    {
        var file = Path.Combine(StateDirectory, "stacks", stack, "config-secrets");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }

    /// <summary>Lock files currently held on a stack.</summary>
    public IReadOnlyList<string> Locks(string stack)
    {
        var root = Path.Combine(BackendDirectory, ".pulumi", "locks");
        return Directory.Exists(root)
            ? [.. Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == stack)]
            : [];
    }

    /// <summary>Lets an in-flight resource operation of the stand-in complete (the <c>hang-inflight</c> behaviour).</summary>
    public void FinishInFlight(string stack)
    {
        Directory.CreateDirectory(Path.Combine(StateDirectory, "signals"));
        File.WriteAllText(Path.Combine(StateDirectory, "signals", $"finish-{stack}"), "");
    }

    /// <summary>How many times the stack's commands have received SIGINT.</summary>
    public int Interrupts(string stack) => ReadLines(Path.Combine(StateDirectory, "signals", $"interrupted-{stack}")).Length;

    /// <summary>Whether the running command of a stack has received SIGINT.</summary>
    public bool WasInterrupted(string stack) => File.Exists(Path.Combine(StateDirectory, "signals", $"interrupted-{stack}"));

    /// <summary>Waits (generously, on a condition, never a fixed delay) until the stack's command has received SIGINT.</summary>
    public async Task WaitForInterruptAsync(string stack)
    {
        for (var i = 0; i < 1200 && !WasInterrupted(stack); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(WasInterrupted(stack), $"The engine of {stack} never received SIGINT.");
    }

    /// <summary>The checkpoint's resources (<c>urn|type|protect</c> lines).</summary>
    public IReadOnlyList<string> Checkpoint(string stack) => ReadLines(Path.Combine(StateDirectory, "stacks", stack, "state"));

    /// <summary>The checkpoint's pending operations (<c>urn|type|operation</c> lines).</summary>
    public IReadOnlyList<string> PendingOperations(string stack) => ReadLines(Path.Combine(StateDirectory, "stacks", stack, "pending"));

    private static string[] ReadLines(string file) =>
        File.Exists(file) ? [.. File.ReadAllLines(file).Where(l => l.Length > 0)] : [];

    private static string Prepare()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "FakePulumi", "pulumi");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
