using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// Faults of the database under a running service: a private PostgreSQL server (started by <c>.ci/postgres.sh</c> on a
/// port of its own, never the shared one) is stopped and started again while operations run.
/// </summary>
public sealed class DatabaseFaultTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APostgresRestartMidRun_ReadinessFallsAndRecoversByItself_AndEveryOperationRunsExactlyOnce()
    {
        _ = TestStore.Server; // a PostgreSQL test: skipped where PostgreSQL tests are
        await using var server = await PrivateServer.StartAsync();
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var factory = new PlatformFactory(engine: engine, configure: s =>
        {
            s["Platform:Database:Provider"] = "postgres";
            s["Platform:Database:ConnectionString"] = server.ConnectionString;
            s["Platform:MaxConcurrentOperations"] = "2";

            // An outage shorter than the lease loses nothing; a longer one makes the replica stop its engines for
            // recovery (another replica may take them over), which is not this test's case on a slow machine.
            s["Platform:Replicas:LeaseDuration"] = "00:10:00";
        });
        var client = factory.CreateClient();
        var ids = new List<string>();
        foreach (var name in new[] { "outage-a", "outage-b", "outage-c", "outage-d" })
        {
            using var created = await factory.PostSpecAsync(Specs.Dev(name));
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            ids.Add((string)(await PlatformFactory.ReadAsync(created))["id"]!);
        }

        await engine.WaitForStepAsync(ids[0]);
        await engine.WaitForStepAsync(ids[1]);

        // Two running (held by the engine), two queued: the server goes away.
        await server.HaltAsync();
        await WaitForReadinessAsync(client, HttpStatusCode.ServiceUnavailable);

        // It comes back: readiness recovers without anyone touching the service, and the work carries on.
        await server.ResumeAsync();
        await WaitForReadinessAsync(client, HttpStatusCode.OK);
        engine.Script(EngineCommand.Up, EngineScript.Succeed);
        engine.Release("outage-a");
        engine.Release("outage-b");
        foreach (var id in ids)
        {
            var operation = await factory.WaitForOperationAsync(id);
            Assert.True((string)operation["state"]! == "succeeded", operation.ToJsonString());
        }

        Assert.All(new[] { "outage-a", "outage-b", "outage-c", "outage-d" }, name =>
            Assert.Single(engine.CallsOf("up"), c => c.Stack == name));
    }

    private static async Task WaitForReadinessAsync(HttpClient client, HttpStatusCode wanted)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            using var ready = await client.GetAsync("/readyz", Cancel);
            if (ready.StatusCode == wanted)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < until, $"/readyz still answers {ready.StatusCode}, not {wanted}");
            await Task.Delay(200, Cancel);
        }
    }

    /// <summary>A throwaway PostgreSQL server of this test's own (<c>.ci/postgres.sh</c>), removed when disposed.</summary>
    private sealed class PrivateServer : IAsyncDisposable
    {
        private readonly string _dataDirectory;

        private PrivateServer(string connectionString, string dataDirectory) => (ConnectionString, _dataDirectory) = (connectionString, dataDirectory);

        public string ConnectionString { get; }

        public static async Task<PrivateServer> StartAsync()
        {
            var dataFile = Path.GetTempFileName();
            var (code, output, error) = await ScriptAsync([dataFile], FreePort());
            if (code != 0)
            {
                Assert.Skip($".ci/postgres.sh could not start a private PostgreSQL server here: {error}");
            }

            var data = (await File.ReadAllTextAsync(dataFile, Cancel)).Trim();
            File.Delete(dataFile);
            var connection = output.Trim().Split('\n')[^1];
            return new PrivateServer(new Npgsql.NpgsqlConnectionStringBuilder(connection) { Database = "platform_outage" }.ConnectionString, data);
        }

        public Task HaltAsync() => RunAsync("halt");

        public Task ResumeAsync() => RunAsync("resume");

        public async ValueTask DisposeAsync() => await ScriptAsync(["stop", _dataDirectory]);

        private async Task RunAsync(string command)
        {
            var (code, output, error) = await ScriptAsync([command, _dataDirectory]);
            Assert.True(code == 0, $"postgres.sh {command} failed: {output}{error}");
        }

        private static async Task<(int Code, string Output, string Error)> ScriptAsync(string[] arguments, int? port = null)
        {
            var script = Path.Combine(RepositoryRoot(), ".ci", "postgres.sh");
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            if (port is { } chosen)
            {
                start.Environment["PLATFORM_PG_PORT"] = chosen.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            await process.WaitForExitAsync(CancellationToken.None);
            return (process.ExitCode, await output, await error);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static string RepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Platform.sln not found above the test binaries.");
        }
    }
}
