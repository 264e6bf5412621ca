using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

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

    // Generous: a loaded machine starts the service and the stand-in slowly; the condition decides, never the clock.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private static ProcessSpec Shell(string script) =>
        new("sh", ["-c", script], Directory.GetCurrentDirectory(), new Dictionary<string, string?>());

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
    public async Task CtrlCInTheServicesTerminal_ReachesTheEngineOnce_ThroughTheService()
    {
        SkipUnlessSetsid();
        var cancel = TestContext.Current.CancellationToken;
        await using var service = await ServiceProcess.StartAsync();
        var fake = new FakePulumi(Path.Combine(service.Data, "backend"));
        fake.Behave("up", "hang-inflight");
        using var created = await service.Client.PostAsync(
            "/v1/environments", new StringContent(Specs.Dev("ctrlc-dev"), System.Text.Encoding.UTF8, "application/yaml"), cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(cancel))!["id"]!;
        var log = Path.Combine(service.Data, "logs", $"{id}.jsonl");
        await Eventually.TrueAsync(
            () => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains("kubernetes:apps/v1:Deployment", StringComparison.Ordinal)),
            () => "The engine never started the Deployment.",
            Patience);

        // Ctrl-C: the terminal signals its foreground process group, the service's.
        await RunAsync("kill", "-INT", "--", $"-{service.Process.Id}");
        await fake.WaitForInterruptAsync("ctrlc-dev");
        fake.FinishInFlight("ctrlc-dev");
        await Eventually.TrueAsync(
            () => Task.FromResult(service.Process.HasExited),
            () => $"The service did not stop after Ctrl-C (the engine got {fake.Interrupts("ctrlc-dev")} SIGINT(s)): {service.LastOutput}",
            Patience);

        // One SIGINT, the service's: "cancel", not the second one's "terminate".
        Assert.Equal(1, fake.Interrupts("ctrlc-dev"));
        Assert.Empty(fake.PendingOperations("ctrlc-dev"));
        Assert.Empty(fake.Locks("ctrlc-dev"));
    }

    /// <summary>
    /// A <c>PULUMI_OPTION_*</c> variable in the service's environment would set that flag on every command the
    /// service runs (pulumi/pulumi pkg/cmd/pulumi/pulumi.go, declareFlagsAsEnvironmentVariables; the stand-in
    /// emulates it for <c>--show-secrets</c>): the service runs the engine without it, so secret outputs stay masked.
    /// </summary>
    [Fact]
    public async Task AFlagVariableInTheServicesEnvironment_DoesNotReachTheEngine()
    {
        SkipUnlessSetsid();
        var cancel = TestContext.Current.CancellationToken;
        await using var service = await ServiceProcess.StartAsync(("PULUMI_OPTION_SHOW_SECRETS", "true"));
        using var created = await service.Client.PostAsync(
            "/v1/environments", new StringContent(Specs.Dev("flags-dev"), System.Text.Encoding.UTF8, "application/yaml"), cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);

        JsonNode? environment = null;
        await Eventually.TrueAsync(
            async () => (environment = JsonNode.Parse(await service.Client.GetStringAsync("/v1/environments/flags-dev", cancel)))?["status"]?.GetValue<string>() is "ready" or "failed",
            () => $"The environment never settled: {environment?.ToJsonString()}",
            Patience);

        Assert.Equal("ready", (string)environment!["status"]!);
        // A secret the engine generated: the service cannot mask what it never knew, so only the CLI's own masking
        // keeps it out (the spec's secrets, like dbPassword, the service masks itself as well).
        Assert.Equal("[secret]", (string)environment["outputs"]!["adminPassword"]!);
        Assert.Equal("[secret]", (string)environment["outputs"]!["dbPassword"]!);

        // The same command with the variable does show the secret: the stand-in holds the CLI's rule.
        var shown = await Runner.RunAsync(new ProcessSpec(FakePulumi.Executable, ["stack", "output", "--json", "--stack", "flags-dev", "--non-interactive"],
            Directory.GetCurrentDirectory(), new Dictionary<string, string?>
            {
                ["PULUMI_BACKEND_URL"] = "file://" + Path.Combine(service.Data, "backend"),
                ["PULUMI_OPTION_SHOW_SECRETS"] = "true",
            }), NoStop);
        Assert.True(JsonNode.Parse(shown.StandardOutput)?["adminPassword"]?.GetValue<string>().StartsWith("generated-", StringComparison.Ordinal) == true,
            $"exit {shown.ExitCode}: {shown.StandardOutput}{shown.StandardError}");
    }

    /// <summary>
    /// The service as its own process, in a process group of its own (as a terminal would start it), on the stand-in,
    /// healthy and with an admin client; disposing kills it if it still runs and deletes its data.
    /// </summary>
    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

        private ServiceProcess(string data, Process process, HttpClient client)
        {
            (Data, Process, Client) = (data, process, client);
            process.OutputDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
            process.ErrorDataReceived += (_, e) => _output.Enqueue(e.Data ?? "");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Data { get; }

        public Process Process { get; }

        public HttpClient Client { get; }

        public string LastOutput => string.Join('\n', _output.TakeLast(60));

        public static async Task<ServiceProcess> StartAsync(params (string Name, string Value)[] environment)
        {
            var data = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(data);
            var process = StartServiceInItsOwnProcessGroup(data, out var address, environment);
            var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", PlatformFactory.AdminKey);
            var service = new ServiceProcess(data, process, client);
            try
            {
                await Eventually.TrueAsync(async () => !process.HasExited && await IsHealthyAsync(client), () => $"The service never became healthy: {service.LastOutput}", Patience);
                return service;
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync(CancellationToken.None);
            }

            Process.Dispose();
            Directory.Delete(Data, recursive: true);
        }
    }

    private static Process StartServiceInItsOwnProcessGroup(string data, out Uri address, params (string Name, string Value)[] environment)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.AutomationApi.dll"));
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["Platform__DataDirectory"] = data;
        start.Environment["Platform__PulumiPath"] = FakePulumi.Executable;
        start.Environment["Platform__WorkerPollInterval"] = "00:00:00.200";
        start.Environment["Platform__DeployTimeout"] = "00:10:00";
        start.Environment["Platform__CancelGracePeriod"] = "00:05:00";
        start.Environment["Platform__Auth__BootstrapAdminKey"] = PlatformFactory.AdminKey;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static async Task<bool> IsHealthyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task ACommandNotOnThePath_FailsToStart_WithTheFix()
    {
        var spec = new ProcessSpec("platform-no-such-pulumi", [], Directory.GetCurrentDirectory(), new Dictionary<string, string?>());

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
            var spec = new ProcessSpec(file, [], Directory.GetCurrentDirectory(), new Dictionary<string, string?>());

            await Assert.ThrowsAsync<EngineNotFoundException>(() => Runner.RunAsync(spec, NoStop));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void SkipUnlessSetsid() =>
        Assert.SkipUnless(
            ProcessRunner.StartsInOwnSession,
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
