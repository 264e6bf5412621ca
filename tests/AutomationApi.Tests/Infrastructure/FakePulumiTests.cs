using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.AutomationApi.Engine;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>
/// The stand-in itself, run as the service runs pulumi (no terminal, the file backend): the upstream rules it emulates
/// and that no service path reaches, checked directly, so a stand-in that drifts from its cited rule fails here rather
/// than passing every test that shares its assumption.
/// </summary>
public sealed partial class FakePulumiTests : IDisposable
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
            // A lost second interrupt fails the test instead of holding the run (the finally kills the command).
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            patience.CancelAfter(TimeSpan.FromMinutes(1));
            await up.WaitForExitAsync(patience.Token);
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
        // Each interrupt announced on the event stream as it came (NewScope, pkg/backend/cancellation_scope.go).
        Assert.Equal(["^C received; cancelling. If you would like to terminate immediately, press ^C again.\nNote that terminating immediately may lead to orphaned resources and other inconsistencies.\n", "^C received; terminating"],
            Events().Select(e => (string?)e["stdoutEvent"]?["message"]).OfType<string>());
        // Terminated, the deployment still reports its summary (the Namespace created; the abandoned Deployment not)
        // and the engine its cancelEvent ((*deployment).run in pkg/engine/deployment.go; update.go).
        var events = Events();
        Assert.Equal("""{"create":1}""", events[^2]["summaryEvent"]?["resourceChanges"]?.ToJsonString());
        Assert.NotNull(events[^1]["cancelEvent"]);
        Assert.Contains(_fake.PendingOperations(Stack), p => p.Contains("kubernetes:apps/v1:Deployment", StringComparison.Ordinal));
        Assert.Empty(_fake.Locks(Stack));
    }

    /// <summary>
    /// One SIGINT at a random moment of an <c>up</c>, many times: whenever it lands, the command either ends by the signal
    /// outside its engine's cancellation scope, or cancels the update (exit 1), or had already finished, and it never
    /// hangs, never reports a shell error and never leaves its lock or a pending operation. (It found an interrupt's
    /// message written into the checkpoint and an update "canceled" after its summary; the rarer lost trap of a
    /// <c>$(…)</c> is held by the next test.)
    /// </summary>
    [Fact]
    public async Task AnInterrupt_AtAnyMoment_EndsTheCommandCleanly_AndReleasesTheLock()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Signals: Unix only.");
        const int Seed = 20261203;
        const int Runs = 50;
        var ct = TestContext.Current.CancellationToken;
        var up = (string[])["up", "--yes", "--skip-preview", "--stack", Stack, "--event-log", EventLog];
        await RunAsync(0, "stack", "select", Stack, "--create");

        // The interrupt lands anywhere in one uninterrupted run's time on this machine, as busy as it is now; with no
        // step delay the whole run is the script's own work.
        var clock = Stopwatch.StartNew();
        await RunAsync(0, up);
        var span = (int)clock.ElapsedMilliseconds + 1;
        var random = new Random(Seed);
        for (var run = 0; run < Runs; run++)
        {
            File.Delete(EventLog);
            var interruptsBefore = _fake.Interrupts(Stack);
            var delay = random.Next(span);
            using var process = Start(up);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            // The delay only places the interrupt; every assertion below holds wherever it lands.
            await Task.Delay(delay, ct);
            await ProcessRunner.Interrupt(process.Id);
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
            patience.CancelAfter(TimeSpan.FromMinutes(1));
            var ended = true;
            var hung = "";
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                ended = false;
                // Where it waits, for the failure message (a hang seen once in CI, never reproduced here).
                hung = ProcessState(process.Id);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            var events = Events();
            var interrupts = _fake.Interrupts(Stack) - interruptsBefore;
            var context = $"run {run} of seed {Seed}, interrupted {delay} ms in (a run takes {span} ms): exit {process.ExitCode}, " +
                $"{interrupts} interrupt(s) recorded, stdout: {await stdout} stderr: {await stderr} events: {string.Join(' ', events.Select(e => e.ToJsonString()))}";
            Assert.True(ended, "The interrupt was lost: the command did not end. " + context + " " + hung);
            Assert.True((await stderr).Length == 0, "The shell reported an error. " + context);
            Assert.True(_fake.Locks(Stack).Count == 0, "The command left its lock. " + context);
            // Only a kill leaves an operation pending; a cancelled update waits for the one in flight.
            Assert.True(_fake.PendingOperations(Stack).Count == 0, "An operation was left pending. " + context);
            switch (process.ExitCode)
            {
                // Ended by SIGINT (128 + 2) outside the engine's cancellation scope: before the engine started (no
                // event) or after its last event, a summary and the cancelEvent.
                case 130:
                    Assert.True(interrupts == 0, context);
                    Assert.True(events.Count == 0 || (events.Count >= 2 && events[^1]["cancelEvent"] is not null && events[^2]["summaryEvent"] is not null), context);
                    break;
                // The update cancelled: the interrupt recorded once and announced at once on the event stream
                // (NewScope, pkg/backend/cancellation_scope.go), "update canceled", the summary (deployment.run,
                // pkg/engine/deployment.go) and a cancelEvent last.
                case 1:
                    Assert.True(interrupts == 1, context);
                    Assert.True((await stdout).Contains("error: update canceled", StringComparison.Ordinal), context);
                    Assert.True(events.Count > 1 && events[^1]["cancelEvent"] is not null && events[^2]["summaryEvent"] is not null, context);
                    var announced = events.FindIndex(e => ((string?)e["stdoutEvent"]?["message"])?.StartsWith("^C received; cancelling.", StringComparison.Ordinal) == true);
                    var canceled = events.FindIndex(e => (string?)e["diagnosticEvent"]?["message"] == "update canceled\n");
                    Assert.True(announced >= 0 && canceled > announced, context);
                    break;
                // Finished before the interrupt arrived.
                case 0:
                    Assert.True(interrupts == 0 && events.Any(e => e["summaryEvent"] is not null), context);
                    break;
                default:
                    Assert.Fail("An exit code the CLI does not give for one interrupt. " + context);
                    break;
            }
        }
    }

    /// <summary>
    /// The script's rule (see its header): no <c>$(…)</c> or <c>&lt;(…)</c> once a trap is set, because bash loses a trap
    /// that fires while it parses one. The window is too narrow for random interrupts to find it in a test's time (the
    /// service's own tests met it about 7 times in 400 interrupts on a loaded machine), so the script is read instead.
    /// </summary>
    [Fact]
    public void TheStandIn_ExpandsNoSubstitutionThatAnInterruptCouldBreak()
    {
        var lines = File.ReadAllLines(FakePulumi.Executable);
        var firstTrap = Array.FindIndex(lines, l => l.TrimStart().StartsWith("trap ", StringComparison.Ordinal));
        Assert.True(firstTrap > 0, "The stand-in sets no trap: its interrupt handling is gone.");

        var substitutions = lines
            .Select((line, index) => (Text: line.Trim(), Number: index + 1))
            .Skip(firstTrap)
            .Where(l => !l.Text.StartsWith('#') && (CommandSubstitution().IsMatch(l.Text) || l.Text.Contains("<(", StringComparison.Ordinal)))
            .Select(l => $"line {l.Number}: {l.Text}");
        Assert.Empty(substitutions);
    }

    [Fact]
    public async Task ALockedStack_NamesEachLockAsItsFileRecordsIt()
    {
        await RunAsync(0, "stack", "select", Stack, "--create");
        var locks = Path.Combine(_fake.BackendDirectory, ".pulumi", "locks", "organization", "conformance", Stack);
        Directory.CreateDirectory(locks);
        await File.WriteAllTextAsync(Path.Combine(locks, "a1.json"),
            """{"pid":4242,"username":"alice","hostname":"build-7","timestamp":"2026-11-25T20:00:00Z"}""", TestContext.Current.CancellationToken);

        using var up = Start("up", "--yes", "--skip-preview", "--stack", Stack);
        var stderr = await up.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await up.WaitForExitAsync(TestContext.Current.CancellationToken);

        // checkForLock in pkg/backend/diy/lock.go (pulumi/pulumi): the lock file's owner and time, not the caller's.
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("a1.json: created by alice@build-7 (pid 4242) at 2026-11-25T20:00:00Z", stderr, StringComparison.Ordinal);
        Assert.Equal(new StackLock("alice", "build-7", 4242), EngineErrorClassifier.ParseLock(stderr));
    }

    [Theory]
    // Each a flag the stand-in reads, given to a command whose flag set lacks it (pulumi/pulumi @1b594989,
    // pkg/cmd/pulumi/operations/preview.go, refresh.go, destroy.go, up.go; stack/stack_output.go, stack_select.go;
    // config/config.go; cancel/cancel.go): cobra refuses it before the command runs.
    [InlineData("preview", "--yes")]
    [InlineData("preview", "--skip-preview")]
    [InlineData("preview", "--secrets-provider", "passphrase")]
    [InlineData("refresh", "--show-secrets")]
    [InlineData("destroy", "--show-secrets")]
    [InlineData("destroy", "--clear-pending-creates")]
    [InlineData("up", "--all")]
    [InlineData("up", "--create")]
    [InlineData("stack output", "--yes")]
    [InlineData("stack select", "--yes")]
    [InlineData("config set key", "--show-secrets")]
    [InlineData("cancel", "--event-log", "events.jsonl")]
    [InlineData("preview", "-y")]
    public async Task AFlagTheCommandLacks_IsUnknown(string command, string flag, string? value = null)
    {
        await RunAsync(0, "stack", "select", Stack, "--create");

        using var process = Start([.. command.Split(' '), flag, .. value is null ? (string[])[] : [value], "--stack", Stack]);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        // pflag names a shorthand by its letter (parseSingleShortArg, flag.go in spf13/pflag).
        Assert.Equal(1, process.ExitCode);
        Assert.Equal(flag.StartsWith("--", StringComparison.Ordinal) ? $"error: unknown flag: {flag}" : $"error: unknown shorthand flag: '{flag[1]}' in {flag}", stderr.Trim());
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
        // No pause between the stand-in's steps: these tests wait on conditions, never on the stand-in's pace.
        start.Environment["FAKE_STEP_DELAY"] = "0";
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

    // A process and its children as /proc shows them: command line, state, what it waits in, its signal masks.
    private static string ProcessState(int pid)
    {
        string Read(string path)
        {
            try
            {
                return File.ReadAllText(path).Replace('\0', ' ').Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "";
            }
        }

        var status = Read($"/proc/{pid}/status").Split('\n')
            .Where(l => l.StartsWith("State", StringComparison.Ordinal) || l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("ShdPnd", StringComparison.Ordinal));
        var children = Read($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"[pid {pid}: {Read($"/proc/{pid}/cmdline")}; {string.Join(", ", status)}; waits in {Read($"/proc/{pid}/wchan")}; children: " +
            string.Join(" ", children.Select(c => ProcessState(int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)))) + "]";
    }

    /// <summary><c>$(</c> but not arithmetic <c>$((</c>.</summary>
    [GeneratedRegex(@"\$\((?!\()")]
    private static partial Regex CommandSubstitution();

    private List<JsonNode> Events() =>
        File.Exists(EventLog)
            ? [.. File.ReadAllLines(EventLog).Where(l => l.EndsWith('}')).Select(l => JsonNode.Parse(l)!)]
            : [];
}
