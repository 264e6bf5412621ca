using System.Text.Json.Nodes;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Cli;

namespace Platform.AutomationApi.Tests.Cli;

/// <summary>Issue 12: the CLI client (<c>platform env|catalog|costs|keys</c>) against the real service in-process.</summary>
public sealed class ClientCommandsTests : IDisposable
{
    // The key PlatformFactory bootstraps its service with once the service authenticates (issue 12's other half);
    // until then the header is harmless.
    private const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly string _home = Path.Combine(Path.GetTempPath(), "platform-cli-home", Guid.NewGuid().ToString("N"));
    private readonly string _work = Path.Combine(Path.GetTempPath(), "platform-cli-work", Guid.NewGuid().ToString("N"));

    public ClientCommandsTests()
    {
        Directory.CreateDirectory(_home);
        Directory.CreateDirectory(_work);
    }

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(PlatformFactory factory, Dictionary<string, string>? variables, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string>(variables ?? new() { ["PLATFORM_URL"] = factory.Server.BaseAddress.ToString(), ["PLATFORM_TOKEN"] = AdminKey }) { ["HOME"] = _home };
        var context = new CliContext(stdout, stderr, TextReader.Null, _work, name => environment.GetValueOrDefault(name))
        {
            HttpHandler = factory.Server.CreateHandler(),
        };
        var code = await PlatformCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<string> SpecFileAsync(string name, string text)
    {
        var path = Path.Combine(_work, name);
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task Env_create_follows_the_operation_then_list_get_update_history_extend_and_destroy_work_as_tables_and_json()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var spec = await SpecFileAsync("env.yaml", Specs.Dev("cli-env-dev"));

        var (code, stdout, stderr) = await RunAsync(factory, null, "env", "create", spec);
        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains("create of cli-env-dev: operation op_", stdout, StringComparison.Ordinal);
        Assert.Contains("state: ", stdout, StringComparison.Ordinal);
        Assert.EndsWith("create of cli-env-dev succeeded.", stdout.TrimEnd(), StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync(factory, null, "env", "list");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^cli-env-dev\s+payments\s+dev\s+default\s+ready\s+20\d\d-", lines[1]);

        (code, stdout, _) = await RunAsync(factory, null, "env", "list", "--json");
        Assert.Equal(0, code);
        Assert.Equal("cli-env-dev", (string)JsonNode.Parse(stdout)!.AsArray().Single()!["name"]!);
        Assert.Contains("+00:00\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync(factory, null, "env", "get", "cli-env-dev");
        Assert.Equal(0, code);
        Assert.Matches(@"status\s+ready", stdout);
        Assert.Matches(@"estimated monthly cost\s+\d+\.\d\d USD", stdout);
        Assert.DoesNotContain(Specs.Secret, stdout, StringComparison.Ordinal);

        var updated = await SpecFileAsync("env2.yaml", Specs.Dev("cli-env-dev", image: "registry.example.com/payments/api:2.0.0"));
        (code, stdout, stderr) = await RunAsync(factory, null, "env", "update", "cli-env-dev", updated, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal("succeeded", (string)JsonNode.Parse(stdout)!["state"]!);
        Assert.Contains("update of cli-env-dev: operation", stderr, StringComparison.Ordinal); // progress on stderr, JSON alone on stdout

        (code, stdout, _) = await RunAsync(factory, null, "env", "preview", "cli-env-dev");
        Assert.Equal(0, code);
        Assert.Contains("estimated monthly cost:", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync(factory, null, "env", "history", "cli-env-dev");
        Assert.Equal(0, code);
        var history = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^op_\S+\s+preview\s+succeeded", history[1]);
        Assert.Matches(@"^op_\S+\s+update\s+succeeded", history[2]);
        Assert.Matches(@"^op_\S+\s+create\s+succeeded", history[3]);

        (code, stdout, _) = await RunAsync(factory, null, "env", "extend", "cli-env-dev", "48h");
        Assert.Equal(0, code);
        Assert.Contains("cli-env-dev now expires", stdout, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(factory, null, "env", "extend", "cli-env-dev", "forever");
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("ttl: 'forever' is not a duration", stderr, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync(factory, null, "env", "destroy", "cli-env-dev");
        Assert.Equal(0, code);
        Assert.EndsWith("destroy of cli-env-dev succeeded.", stdout.TrimEnd(), StringComparison.Ordinal);
        (code, stdout, _) = await RunAsync(factory, null, "env", "destroy", "cli-env-dev");
        Assert.Equal(0, code);
        Assert.Contains("already destroyed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_shows_the_key_once_list_never_shows_a_secret_and_revoke_makes_it_401()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());

        var (code, stdout, stderr) = await RunAsync(factory, null, "keys", "create", "--team", "payments", "--role", "developer", "--name", "payments-ci", "--expires-in", "30d");
        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^key \S+ \(payments-ci\): developer of payments, expires 20\d\d-", lines[0]);
        var key = lines[1];
        var id = Platform.AutomationApi.Auth.ApiKeySecrets.Split(key).Id;
        Assert.StartsWith(Platform.AutomationApi.Auth.ApiKeySecrets.Prefix, key, StringComparison.Ordinal);
        Assert.Contains($"key {id} ", lines[0], StringComparison.Ordinal);
        Assert.Contains("only time the key is shown", stderr, StringComparison.Ordinal);
        using (var response = await factory.CreateClient(key).GetAsync("/v1/environments", TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        // Listed, as a table and as JSON, never with the key or its secret.
        var secret = Platform.AutomationApi.Auth.ApiKeySecrets.Split(key).Secret;
        (code, stdout, _) = await RunAsync(factory, null, "keys", "list", "--team", "payments");
        Assert.Equal(0, code);
        var table = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", table[0], StringComparison.Ordinal);
        Assert.Matches($@"^{id}\s+payments-ci\s+payments\s+developer\s+20\d\d-.*\btrue\s*$", Assert.Single(table[1..]));
        (code, var json, _) = await RunAsync(factory, null, "keys", "list", "--json");
        Assert.Equal(0, code);
        var listed = JsonNode.Parse(json)!.AsArray();
        Assert.Contains(listed, k => (string?)k!["id"] == id);
        foreach (var text in new[] { stdout, json })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        }

        // Only admins manage keys: the developer's own key is refused, and the CLI exits 1 naming the role needed.
        var asDeveloper = new Dictionary<string, string> { ["PLATFORM_URL"] = factory.Server.BaseAddress.ToString(), ["PLATFORM_TOKEN"] = key };
        (code, _, stderr) = await RunAsync(factory, asDeveloper, "keys", "list");
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("admin", stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = await RunAsync(factory, null, "keys", "revoke", id);
        Assert.True(code == 0, stderr);
        Assert.Equal($"key {id} revoked.", stdout.Trim());
        using (var response = await factory.CreateClient(key).GetAsync("/v1/environments", TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }

        (code, _, stderr) = await RunAsync(factory, asDeveloper, "env", "list");
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("revoked", stderr, StringComparison.Ordinal);
        (code, json, _) = await RunAsync(factory, null, "keys", "list", "--json");
        Assert.Equal(0, code);
        Assert.False((bool)JsonNode.Parse(json)!.AsArray().Single(k => (string?)k!["id"] == id)!["active"]!);

        (code, _, stderr) = await RunAsync(factory, null, "keys", "create", "--team", "payments", "--role", "developer", "--expires-in", "soon");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--expires-in 'soon' is not a duration", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RunAsync(factory, null, "keys", "create", "--team", "payments", "--role", "owner");
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("role", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_operation_exits_non_zero_with_its_reason()
    {
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Fail(new EngineError(EngineErrorCodes.Resource, "creating 'api' (kubernetes:apps/v1:Deployment) failed", false)));
        using var factory = new PlatformFactory(engine: engine);
        var spec = await SpecFileAsync("env.yaml", Specs.Dev("cli-fail-dev"));

        var (code, _, stderr) = await RunAsync(factory, null, "env", "create", spec);
        Assert.Equal(ExitCodes.OperationFailed, code);
        Assert.Contains("error: create of cli-fail-dev failed: resource-error:", stderr, StringComparison.Ordinal);

        var invalid = await SpecFileAsync("bad.yaml", Specs.Dev("cli-bad-dev", image: "registry.example.com/payments/api:latest"));
        (code, _, stderr) = await RunAsync(factory, null, "env", "create", invalid);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("spec.services[0].image:", stderr, StringComparison.Ordinal);
        Assert.Contains("latest", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_and_costs_print_tables_and_json()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("cli-cat-dev"));
        await factory.CreateAndWaitAsync(Specs.Dev("cli-cat2-dev", team: "search"));

        var (code, stdout, stderr) = await RunAsync(factory, null, "catalog");
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("SERVICE", rows[0], StringComparison.Ordinal);
        Assert.Matches(@"^api\s+cli-cat-dev\s+payments\s+dev\s+web\s+registry\.example\.com/payments/api:1\.0\.0\s+-\s+-\s+-\s+\d+\.\d\d USD$", rows[1]);

        (code, stdout, _) = await RunAsync(factory, null, "catalog", "api", "--json");
        Assert.Equal(0, code);
        Assert.Equal(["cli-cat-dev", "cli-cat2-dev"], JsonNode.Parse(stdout)!.AsArray().Select(s => (string)s!["environment"]!));

        (code, stdout, _) = await RunAsync(factory, null, "costs", "--group-by", "team");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^payments\s+team\s+\d+\.\d\d USD\s+1$", stdout);
        Assert.Matches(@"(?m)^total\s+\d+\.\d\d USD\s+2$", stdout);

        (code, stdout, _) = await RunAsync(factory, null, "costs", "--group-by", "environment", "--json");
        Assert.Equal(0, code);
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal((decimal)report["total"]!, report["groups"]!.AsArray().Sum(g => (decimal)g!["monthly"]!));

        (code, _, stderr) = await RunAsync(factory, null, "costs", "--group-by", "colour");
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("groupBy: Unknown grouping 'colour'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_comes_from_flags_then_variables_then_a_private_config_file()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var none = new Dictionary<string, string>();

        var (code, _, stderr) = await RunAsync(factory, none, "env", "list");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--url, $PLATFORM_URL or \"url\" in", stderr, StringComparison.Ordinal);

        (code, _, _) = await RunAsync(factory, none, "env", "list", "--url", factory.Server.BaseAddress.ToString(), "--token", AdminKey);
        Assert.Equal(0, code);

        var config = Path.Combine(_home, ".config", "platform", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        await File.WriteAllTextAsync(config, $$"""{ "url": "{{factory.Server.BaseAddress}}", "token": "{{AdminKey}}" }""", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            (code, _, stderr) = await RunAsync(factory, none, "env", "list");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains($"chmod 600 {config}", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(AdminKey, stderr, StringComparison.Ordinal);
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (code, _, stderr) = await RunAsync(factory, none, "env", "list");
        Assert.True(code == 0, stderr);
    }
}
