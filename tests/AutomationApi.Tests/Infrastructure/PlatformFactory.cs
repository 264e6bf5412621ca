using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>
/// The real service over HTTP, against a real SQLite file in its own data directory (or the PostgreSQL database of a
/// <see cref="TestStore"/>), driving the fake pulumi process (or the configured <c>Platform:PulumiPath</c>) — or,
/// with an <see cref="InMemoryStackEngine"/>, no process at all, for tests of HTTP and lifecycle behaviour — with
/// timeouts generous enough for a loaded machine.
/// </summary>
public sealed class PlatformFactory : WebApplicationFactory<Program>
{
    /// <summary>
    /// The admin key every factory's service is bootstrapped with (<c>Platform:Auth:BootstrapAdminKey</c>); clients from
    /// <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> send it, so tests of other behaviour act as an admin.
    /// </summary>
    public const string AdminKey = Fuzz.RawHttp.AdminKey;

    public PlatformFactory(
        string? dataDirectory = null, Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null, TestStore? store = null,
        InMemoryStackEngine? engine = null)
    {
        Engine = engine;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        Fake = new FakePulumi(Path.Combine(DataDirectory, "backend"));
        Settings = new Dictionary<string, string?>
        {
            ["Platform:DataDirectory"] = DataDirectory,
            ["Platform:PulumiPath"] = FakePulumi.Executable,
            ["Platform:WorkerPollInterval"] = "00:00:00.200",
            // Generous: on a busy machine a command may take long, and no test depends on these passing by on the
            // wall clock (timeout tests drive a fake clock).
            ["Platform:DeployTimeout"] = "00:10:00",
            ["Platform:InspectTimeout"] = "00:10:00",
            // Generous: the stand-in answers an interrupt at once, but on a loaded machine its trap can take seconds, and a
            // kill instead of an interrupt changes what a test sees. Tests of the kill path set their own short period.
            ["Platform:CancelGracePeriod"] = "00:00:30",
            ["Platform:EngineRetryDelay"] = "00:00:00.050",
            ["Platform:ReaperInterval"] = "00:01:00",
            ["Platform:Auth:BootstrapAdminKey"] = AdminKey,
        };
        store?.Configure(Settings);
        configure?.Invoke(Settings);
        Time = time;
    }

    public string DataDirectory { get; }

    public FakePulumi Fake { get; }

    /// <summary>The in-memory engine the service drives instead of a process, when the test chose one.</summary>
    public InMemoryStackEngine? Engine { get; }

    /// <summary>The in-memory engine (the test must have chosen one).</summary>
    public InMemoryStackEngine Memory => Engine ?? throw new InvalidOperationException("This factory drives the process stand-in; pass an InMemoryStackEngine.");

    public Dictionary<string, string?> Settings { get; }

    public TimeProvider? Time { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Extra services for one test (e.g. an EF Core interceptor that checks what each save leaves behind).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        // Everything is logged in tests, framework categories included, so secret checks see every line.
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
        }));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            TestServices?.Invoke(services);
            if (Engine is not null)
            {
                services.RemoveAll<Platform.AutomationApi.Engine.IStackEngine>();
                services.AddSingleton<Platform.AutomationApi.Engine.IStackEngine>(Engine);
            }

            if (Time is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(Time);
            }
        });
    }

    /// <summary>Clients act as the bootstrap admin unless a test says otherwise (<see cref="CreateClient(string?)"/>).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
    }

    /// <summary>A client that sends <paramref name="key"/> as its bearer credential, or none when it is <see langword="null"/>.</summary>
    public HttpClient CreateClient(string? key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new("Bearer", key);
        return client;
    }

    /// <summary>Creates an API key through the API (as the admin) and returns it.</summary>
    public async Task<string> CreateKeyAsync(string team, string role, DateTimeOffset? expiresAt = null, string name = "test")
    {
        using var response = await CreateClient().PostAsJsonAsync("/v1/keys", new { name, team, role, expiresAt }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (string)(await ReadAsync(response))["key"]!;
    }

    /// <summary>Serves over real Kestrel on a loopback port (for raw HTTP framing and the server's limits); returns its address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Posts a spec and returns the response.</summary>
    public async Task<HttpResponseMessage> PostSpecAsync(string spec, string contentType = "application/yaml", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments") { Content = new StringContent(spec, System.Text.Encoding.UTF8, contentType) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await CreateClient().SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Creates an environment and waits for its operation to finish and for this service's worker to let go of it
    /// (<see cref="WaitUntilWorkerLetGoAsync"/>): the environment is then at rest, no write or wake-up of its create
    /// still to come. Returns the operation.
    /// </summary>
    public async Task<JsonObject> CreateAndWaitAsync(string spec)
    {
        using var response = await PostSpecAsync(spec);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (string)(await ReadAsync(response))["id"]!;
        var operation = await WaitForOperationAsync(id);
        await WaitUntilWorkerLetGoAsync(id);
        return operation;
    }

    /// <summary>
    /// Waits until this service's worker no longer runs <paramref name="operationId"/>. An operation shows its final
    /// state as soon as the save recording it commits, but the wake-ups of that save (event streams, the environment
    /// read cache's <see cref="Platform.AutomationApi.Apis.EnvironmentReadCache.Changed"/>) are delivered after the commit, on
    /// the worker's thread; the worker forgets the operation only once that save has returned, so after this nothing
    /// of it is still to arrive (a test counting store reads from here is not disturbed by a late one).
    /// </summary>
    public async Task WaitUntilWorkerLetGoAsync(string operationId)
    {
        var running = Services.GetRequiredService<Platform.AutomationApi.Operations.RunningOperations>();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (running.IsRunning(operationId))
        {
            Assert.True(DateTime.UtcNow < until, $"The worker still runs operation {operationId}, finished or not.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls an operation until it reaches a final state (or the states given).</summary>
    public async Task<JsonObject> WaitForOperationAsync(string id, TimeSpan? timeout = null, params string[] states)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        string[] wanted = states.Length > 0 ? states : ["succeeded", "failed", "cancelled", "interrupted"];
        var client = CreateClient();
        while (true)
        {
            var operation = await client.GetFromJsonAsync<JsonObject>($"/v1/operations/{id}", TestContext.Current.CancellationToken);
            if (wanted.Contains((string)operation!["state"]!))
            {
                return operation;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Operation {id} is still {operation["state"]}: {operation}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the engine running an operation has reported a resource step (so it is mid-update, holding its lock).</summary>
    /// <param name="operationId">The operation.</param>
    /// <param name="resourceType">Wait for the step of a resource of this type (e.g. the one the stand-in holds in flight).</param>
    public async Task WaitForEngineStepAsync(string operationId, string? resourceType = null)
    {
        if (Engine is not null)
        {
            await Engine.WaitForStepAsync(operationId);
            return;
        }

        // Up to a minute, like the other waits here: on a loaded machine the worker's poll, the stack selection and the
        // config commands come before the engine's first step.
        var log = Path.Combine(DataDirectory, "logs", $"{operationId}.jsonl");
        for (var i = 0; i < 1200; i++)
        {
            if (File.Exists(log) && (await File.ReadAllLinesAsync(log, TestContext.Current.CancellationToken))
                    .Any(l => l.Contains("resourcePreEvent", StringComparison.Ordinal) && (resourceType is null || l.Contains(resourceType, StringComparison.Ordinal))))
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"The engine of {operationId} reported no step.");
    }

    public async Task<JsonObject> GetEnvironmentAsync(string name) =>
        (await CreateClient().GetFromJsonAsync<JsonObject>($"/v1/environments/{name}", TestContext.Current.CancellationToken))!;

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Logs.Dispose();
        }
    }
}
