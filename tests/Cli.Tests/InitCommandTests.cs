using Platform.Cli.Commands;
using Platform.Components.Documents;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.Cli.Tests;

/// <summary><c>platform init</c>: a starter spec that validates and CI workflows, for an ASP.NET project and a Dockerfile-only one.</summary>
public sealed class InitCommandTests
{
    private static void WriteAspNetProject(CliHarness cli)
    {
        cli.Write("src/Checkout.Api/Checkout.Api.csproj", """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
        cli.Write("src/Checkout.Api/Properties/launchSettings.json", """
            {
              // as 'dotnet new web' writes it
              "profiles": {
                "https": { "commandName": "Project", "applicationUrl": "https://localhost:7043;http://localhost:5123" },
              }
            }
            """);
        cli.Write("tests/Checkout.Api.Tests/Checkout.Api.Tests.csproj", """<Project Sdk="Microsoft.NET.Sdk"></Project>""");
    }

    [Fact]
    public async Task AspNetProject_GetsAWebServiceNamedAfterTheProject_OnItsLaunchSettingsPort_AndTheSpecValidates()
    {
        using var cli = new CliHarness();
        WriteAspNetProject(cli);
        cli.Environment[InitCommand.RegistryVariable] = "registry.example.com/payments";

        var init = await cli.RunAsync(["init", "--team", "payments"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        var spec = SpecParser.Parse(cli.Read(InitCommand.SpecPath)).Spec!;
        Assert.Equal("checkout-api-staging", spec.Name);
        Assert.Equal("payments", spec.Metadata.Team);
        var service = Assert.Single(spec.Services);
        Assert.Equal("checkout-api", service.Name);
        Assert.Equal(ServiceType.Web, service.Type);
        Assert.Equal(5123, service.Port);
        Assert.Equal("registry.example.com/payments/checkout-api:0.1.0", service.Image);
        var validate = await cli.RunAsync(["validate", InitCommand.SpecPath]);
        Assert.True(validate.ExitCode == 0, validate.ToString());
        Assert.Equal("valid", validate.Stdout.Trim());
    }

    [Fact]
    public async Task DockerfileOnlyProject_TakesTheFolderName_AndTheExposedPort_AndTheSpecValidates()
    {
        using var cli = new CliHarness();
        cli.Write("ledger_Worker/Dockerfile", "FROM alpine:3.20\nUSER 10001\nEXPOSE 9090/tcp\nCMD [\"/app/ledger\"]\n");

        var init = await cli.RunAsync(["init", "ledger_Worker", "--tier", "dev"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        var spec = SpecParser.Parse(cli.Read("ledger_Worker/" + InitCommand.SpecPath)).Spec!;
        Assert.Equal("ledger-worker-dev", spec.Name);
        var service = Assert.Single(spec.Services);
        Assert.Equal("ledger-worker", service.Name);
        Assert.Equal(9090, service.Port);
        Assert.Equal("registry.example.com/my-team/ledger-worker:0.1.0", service.Image);
        var validate = await cli.RunAsync(["validate", "ledger_Worker/" + InitCommand.SpecPath]);
        Assert.True(validate.ExitCode == 0, validate.ToString());
    }

    [Theory]
    [InlineData("80")]
    [InlineData("70000")]
    [InlineData("99999999999")] // past int's range: was an unhandled OverflowException (exit 3)
    public async Task PrivilegedPorts_FallBackToTheContainerDefault_WithANote(string exposed)
    {
        using var cli = new CliHarness();
        cli.Write("Dockerfile", $"FROM nginx:1.27\nEXPOSE {exposed}\n");

        var init = await cli.RunAsync(["init"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal(InitCommand.DefaultPort, SpecParser.Parse(cli.Read(InitCommand.SpecPath)).Spec!.Services[0].Port);
        Assert.Contains($"port {exposed} (from Dockerfile EXPOSE) is outside 1024-65535", init.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await cli.RunAsync(["validate", InitCommand.SpecPath])).ExitCode);
    }

    [Fact]
    public async Task CiWorkflows_ValidateAndPlanOnPullRequests_AndDeployFromMain()
    {
        using var cli = new CliHarness();
        WriteAspNetProject(cli);

        Assert.Equal(0, (await cli.RunAsync(["init", "--registry", "registry.example.com/payments"])).ExitCode);

        foreach (var path in new[] { InitCommand.GitHubWorkflowPath, InitCommand.GitLabSnippetPath })
        {
            var text = cli.Read(path);
            Assert.NotNull(YamlJson.Parse(text));
            Assert.Contains($"platform validate {InitCommand.SpecPath}", text, StringComparison.Ordinal);
            Assert.Contains($"platform plan {InitCommand.SpecPath} --json", text, StringComparison.Ordinal);
        }

        var github = YamlJson.Parse(cli.Read(InitCommand.GitHubWorkflowPath))!;
        Assert.Equal("github.event_name == 'pull_request'", (string?)github["jobs"]!["check"]!["if"]);
        Assert.Contains("refs/heads/main", (string?)github["jobs"]!["deploy"]!["if"], StringComparison.Ordinal);
        Assert.Contains(github["jobs"]!["deploy"]!["steps"]!.AsArray(),
            s => (string?)s!["run"] == "platform deploy checkout-api-staging checkout-api registry.example.com/payments/checkout-api:${{ github.sha }}");
        Assert.Contains("platform deploy checkout-api-staging checkout-api registry.example.com/payments/checkout-api:$CI_COMMIT_SHA",
            cli.Read(InitCommand.GitLabSnippetPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CiWorkflows_InstallTheTool_FromTheSourceItIsPublishedTo()
    {
        using var cli = new CliHarness();
        WriteAspNetProject(cli);

        Assert.Equal(0, (await cli.RunAsync(["init"])).ExitCode);

        // The packages are published to a source of the team's own (src/Cli/README.md, Installing): without
        // --add-source the install looks only in the default sources, which do not have them.
        var github = YamlJson.Parse(cli.Read(InitCommand.GitHubWorkflowPath))!;
        foreach (var job in new[] { "check", "deploy" })
        {
            Assert.Contains(github["jobs"]![job]!["steps"]!.AsArray(),
                s => (string?)s!["run"] == "dotnet tool install --global Platform.Cli --add-source \"${{ vars.PLATFORM_CLI_SOURCE }}\"");
        }

        var gitlab = YamlJson.Parse(cli.Read(InitCommand.GitLabSnippetPath))!;
        Assert.Contains(gitlab[".platform"]!["before_script"]!.AsArray(),
            s => (string?)s == "dotnet tool install --global Platform.Cli --add-source \"$PLATFORM_CLI_SOURCE\"");
        Assert.DoesNotMatch(@"tool install --global Platform\.Cli\s*$", cli.Read(InitCommand.GitHubWorkflowPath) + cli.Read(InitCommand.GitLabSnippetPath));
    }

    [Theory]
    [InlineData("Dockerfile", "FROM nginx:1.27\nEXPOSE 80\n")]
    [InlineData("Dockerfile", "FROM alpine:3.20\nEXPOSE 9090\n")]
    [InlineData("src/Api/Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>")]
    public async Task ThePrintout_NamesTheImageAndPortTheSpecWasWrittenWith(string file, string text)
    {
        using var cli = new CliHarness();
        cli.Write(file, text);

        var init = await cli.RunAsync(["init"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        var written = cli.Read(InitCommand.SpecPath);
        var service = SpecParser.Parse(written).Spec!.Services[0];
        var portComment = System.Text.RegularExpressions.Regex.Match(written, @"port: \d+   # (?<source>.+)").Groups["source"].Value;
        Assert.Contains($"port {service.Port} ({portComment}),", init.Stdout, StringComparison.Ordinal);
        Assert.Contains($"image {service.Image} (CI deploys ", init.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("<tag>", init.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistingFiles_AreKept_UnlessForced()
    {
        using var cli = new CliHarness();
        cli.Write(InitCommand.SpecPath, "mine");

        var refused = await cli.RunAsync(["init"]);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine", cli.Read(InitCommand.SpecPath));

        Assert.Equal(0, (await cli.RunAsync(["init", "--force"])).ExitCode);
        Assert.NotEqual("mine", cli.Read(InitCommand.SpecPath));
    }

    [Theory]
    [InlineData("Checkout.Api", "checkout-api")]
    [InlineData("ledger_Worker", "ledger-worker")]
    [InlineData("OrdersService", "orders-service")]
    [InlineData("42things", "app-42things")]
    [InlineData("...", "app")]
    public void Names_BecomeDnsLabels(string name, string expected) => Assert.Equal(expected, InitCommand.DnsName(name, 30));
}
