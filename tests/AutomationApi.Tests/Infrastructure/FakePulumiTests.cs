using System.Diagnostics;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Engine;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>
/// The stand-in itself, run as the service runs pulumi (no terminal, the file backend): the upstream rules it emulates
/// and that no service path reaches, checked directly, so a stand-in that drifts from its cited rule fails here rather
/// than passing every test that shares its assumption.
/// </summary>
public sealed class FakePulumiTests : IDisposable
{
    private const string Stack = "conformance";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"));
    private readonly FakePulumi _fake;

    public FakePulumiTests()
    {
        Directory.CreateDirectory(Workspace);
        File.WriteAllText(Path.Combine(Workspace, "Pulumi.yaml"), """
            name: conformance
            runtime: yaml
            resources:
              api:
                type: kubernetes:apps/v1:Deployment
            """);
        _fake = new FakePulumi(Path.Combine(_root, "backend"));
    }

    private string Workspace => Path.Combine(_root, "workspace");

    private string EventLog => Path.Combine(_root, "events.jsonl");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ASecondInterrupt_Terminates_WithTheCancelledExitCode_LeavingTheInFlightOperationPending()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Signals: Unix only.");
        await RunAsync(0, "stack", "select", Stack, "--create");
        _fake.Behave("up", "hang-inflight");
        using var up = Start("up", "--yes", "--skip-preview", "--stack", Stack, "--event-log", EventLog);
        var stderr = up.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(
                () => Events().Any(e => (string?)e["resourcePreEvent"]?["metadata"]?["type"] == "kubernetes:apps/v1:Deployment"),
                "The stand-in never started the Deployment.");

            await ProcessRunner.Interrupt(up.Id);
            await _fake.WaitForInterruptAsync(Stack);
            await ProcessRunner.Interrupt(up.Id);
            await up.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            // A failed step would leave the stand-in holding its resource for ever.
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
                await up.WaitForExitAsync(CancellationToken.None);
            }
        }

        // Terminate returns context.Canceled, which `up` turns into CancelledError: "update cancelled", exit 8
        // ((*deployment).run in pkg/engine/deployment.go, up.go, ExitCodeFor in pkg/cmd/pulumi/cmd/exit_codes.go).
        Assert.Equal(8, up.ExitCode);
        Assert.Contains("error: update cancelled", await stderr, StringComparison.Ordinal);
        Assert.Equal(2, _fake.Interrupts(Stack));
        Assert.Contains(_fake.PendingOperations(Stack), p => p.Contains("kubernetes:apps/v1:Deployment", StringComparison.Ordinal));
        Assert.Empty(_fake.Locks(Stack));
    }

    [Fact]
    public async Task WithoutATerminal_Diagnostics_AreUncoloured()
    {
        await RunAsync(0, "stack", "select", Stack, "--create");
        _fake.Behave("up", "resource-error");

        await RunAsync(1, "up", "--yes", "--skip-preview", "--stack", Stack, "--event-log", EventLog);

        // "auto" resolves to "never" when stdin or stdout is not a terminal (GetGlobalColorization,
        // sdk/go/common/util/cmdutil/diag.go), and logJSONEvent then strips the directives (pkg/backend/display/display.go).
        var diagnostics = Events().Select(e => e["diagnosticEvent"] ?? e["policyEvent"]).OfType<JsonNode>().ToList();
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d =>
        {
            Assert.Equal("never", (string?)d["color"]);
            Assert.DoesNotContain("<{%", d.ToJsonString(), StringComparison.Ordinal);
        });
    }

    private Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(FakePulumi.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Workspace,
        };
        foreach (var argument in (string[])[.. arguments, "--non-interactive", "--cwd", Workspace])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PULUMI_BACKEND_URL"] = "file://" + _fake.BackendDirectory;
        start.Environment["PULUMI_DEBUG_COMMANDS"] = "true";
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    private async Task RunAsync(int exitCode, params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(exitCode == process.ExitCode, $"pulumi {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
    }

    private List<JsonNode> Events() =>
        File.Exists(EventLog)
            ? [.. File.ReadAllLines(EventLog).Where(l => l.EndsWith('}')).Select(l => JsonNode.Parse(l)!)]
            : [];
}
