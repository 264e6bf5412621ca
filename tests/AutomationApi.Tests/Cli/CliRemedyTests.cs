using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Cli;

namespace Platform.AutomationApi.Tests.Cli;

/// <summary>
/// Remedies that have a CLI command give the command, not an HTTP call ("Update it with PUT /v1/environments/…"),
/// and each command they give is one the CLI accepts.
/// </summary>
public sealed class CliRemedyTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("platform-cli-remedies-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Remedies() =>
    [
        CliRemedies.CreateKey, CliRemedies.ListKeys, CliRemedies.ListServices, CliRemedies.RevokeKey("0123456789abcdef"),
        CliRemedies.UpdateEnvironment("shop-dev"), CliRemedies.ForceDestroy("shop-dev"),
    ];

    [Theory]
    [MemberData(nameof(Remedies))]
    public async Task Every_remedy_is_a_command_the_cli_accepts(string remedy)
    {
        var words = remedy.Trim('\'').Split(' ');
        Assert.Equal("platform", words[0]);

        // --help: parsed as given (an unknown option or a missing argument is exit 2), but nothing is run.
        var (code, stdout, stderr) = await RunAsync(null, [.. words[1..], "--help"]);

        Assert.True(code == 0, $"{remedy}: {code}\n{stderr}");
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_cli_prints_when_refused_names_cli_commands()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var spec = Path.Combine(_work, "env.yaml");
        await File.WriteAllTextAsync(spec, Specs.Dev("cli-remedy-dev"), Cancel);
        Assert.Equal(0, (await RunAsync(factory, ["env", "create", spec])).Code);

        var (code, _, stderr) = await RunAsync(factory, ["env", "create", spec]);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("Update it with 'platform env update cli-remedy-dev <spec>', or pick another name.", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(factory, ["deploy", "cli-remedy-dev", "nope", "registry.example.com/payments/api:1.0.1"]);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("Add a service with 'platform env update cli-remedy-dev <spec>'.", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(factory, ["keys", "revoke", "0123456789abcdef"]);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("There is no API key '0123456789abcdef'. 'platform keys list' lists them.", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(factory, ["catalog", "nope"]);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("List them with 'platform catalog'.", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await RunAsync(factory, ["env", "list"], token: null);
        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("An admin creates keys with 'platform keys create --team <team> --role <role>'.", stderr, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(PlatformFactory? factory, string[] args, string? token = PlatformFactory.AdminKey)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string>();
        if (factory is not null)
        {
            environment["PLATFORM_URL"] = factory.Server.BaseAddress.ToString();
        }

        if (token is not null)
        {
            environment["PLATFORM_TOKEN"] = token;
        }

        var context = new CliContext(stdout, stderr, TextReader.Null, _work, name => environment.GetValueOrDefault(name))
        {
            HttpHandler = factory?.Server.CreateHandler(),
        };
        var code = await PlatformCli.RunAsync(args, context, Cancel);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
