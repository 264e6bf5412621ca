using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class SecretsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task SecretsNeverAppearInResponsesEventsArgumentsOrLogs(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();
        var bodies = new List<string>();

        var created = await factory.CreateAndWaitAsync(Specs.Dev("secret-dev"));
        Assert.Equal("succeeded", (string)created["state"]!);
        bodies.Add(created.ToJsonString());

        // A failing update too: error paths must redact as well.
        factory.Fake.Behave("up", "program-error");
        using var update = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/secret-dev")
        {
            Content = new StringContent(Specs.Dev("secret-dev", image: "registry.example.com/payments/api:9.9.9"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var updated = await client.SendAsync(update, Cancel);
        var failed = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(updated))["id"]!);
        bodies.Add(failed.ToJsonString());
        Assert.Equal("program-error", (string)failed["error"]!["code"]!);
        Assert.Contains("(password [secret])", (string)failed["error"]!["message"]!, StringComparison.Ordinal);

        bodies.Add(await client.GetStringAsync("/v1/environments/secret-dev", Cancel));
        bodies.Add(await client.GetStringAsync("/v1/environments", Cancel));
        foreach (var id in new[] { (string)created["id"]!, (string)failed["id"]! })
        {
            bodies.Add(string.Join("\n", (await EngineFailureTests.EventsAsync(factory, id)).Select(e => e.ToJsonString())));
        }

        Assert.Contains(factory.Logs.Lines, l => l.Contains("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        var passphrase = (await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "passphrase"), Cancel)).Trim();
        Assert.NotEmpty(passphrase);

        // The secret did reach the engine, on standard input.
        Assert.Contains(Specs.Secret, factory.Fake.SecretConfig("secret-dev"), StringComparison.Ordinal);

        foreach (var text in bodies.Concat(factory.Fake.Calls).Concat(factory.Logs.Lines))
        {
            Assert.DoesNotContain(Specs.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(passphrase, text, StringComparison.Ordinal);
        }

        var environment = (await client.GetFromJsonAsync<JsonObject>("/v1/environments/secret-dev", Cancel))!;
        Assert.Equal("[secret]", (string)environment["outputs"]!["dbPassword"]!);

        // At rest: the database (specs are encrypted), workspaces and event logs hold no plain secret. The backend
        // directory is the engine's (the fake keeps what it was given there; the real CLI encrypts it).
        foreach (var file in Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories)
                     .Where(f => !f.StartsWith(Path.Combine(factory.DataDirectory, "backend"), StringComparison.Ordinal)))
        {
            var bytes = await File.ReadAllBytesAsync(file, Cancel);
            Assert.False(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(Specs.Secret)) >= 0, $"{file} holds the secret");
        }
    }

    [Theory]
    [InlineData("0042", "\"0042\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("123456789012", "\"123456789012\"")]
    [InlineData("{\"a\":1}", "\"{\\\"a\\\":1}\"")]
    [InlineData("plain-text", "plain-text")]
    public async Task ASecretThatLooksLikeANumberBoolOrJson_ReachesTheEngineAsAJsonString(string value, string handedOver)
    {
        using var factory = new PlatformFactory();
        var spec = Specs.Dev("odd-dev").Replace(Specs.Secret, $"'{value}'", StringComparison.Ordinal);

        var created = await factory.CreateAndWaitAsync(spec);

        // Pulumi YAML re-types config text (pulumi/pulumi-yaml pkg/server/server.go); a JSON string decodes to the text.
        Assert.Equal("succeeded", (string)created["state"]!);
        Assert.Contains($"apiDbPassword={handedOver}\n", factory.Fake.SecretConfig("odd-dev"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecretThatEndsInANewline_ReachesTheEngineWhole()
    {
        // The CLI drops one trailing newline from a value it reads on standard input (configSetCmd.Run in
        // pkg/cmd/pulumi/config/config.go, pulumi/pulumi), as the stand-in does: a key must keep its last one. It
        // starts with a letter, so it is handed over as it is, not as a JSON string (PulumiYamlConfig.StackValue).
        using var factory = new PlatformFactory();
        const string Key = "MIIBkey\nline-two\nend\n";
        var spec = Specs.Dev("pem-dev").Replace(Specs.Secret, "\"MIIBkey\\nline-two\\nend\\n\"", StringComparison.Ordinal);

        var created = await factory.CreateAndWaitAsync(spec);

        Assert.Equal("succeeded", (string)created["state"]!);
        Assert.Contains($"apiDbPassword={Key}\n", factory.Fake.SecretConfig("pem-dev"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passphrase_IsGeneratedOnceAndReadableByTheOwnerOnly()
    {
        using var factory = new PlatformFactory();
        factory.CreateClient();
        var file = Path.Combine(factory.DataDirectory, "passphrase");
        Assert.True(File.Exists(file), "generated on first start");
        await factory.CreateAndWaitAsync(Specs.Dev("pass-dev"));
        var first = await File.ReadAllTextAsync(file, Cancel);
        Assert.True(first.Length >= 40);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        using var again = new PlatformFactory(factory.DataDirectory);
        await again.CreateAndWaitAsync(Specs.Dev("pass2-dev"));
        Assert.Equal(first, await File.ReadAllTextAsync(file, Cancel));
    }
}
