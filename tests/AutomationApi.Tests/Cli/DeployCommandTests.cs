using Platform.AutomationApi.Tests.Apis;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Cli;

namespace Platform.AutomationApi.Tests.Cli;

/// <summary><c>platform deploy</c> against the real service (in-process): waits, streams progress, and exits by the rollout's outcome.</summary>
public sealed class DeployCommandTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> DeployAsync(PlatformFactory factory, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var variables = new Dictionary<string, string>
        {
            ["PLATFORM_URL"] = factory.Server.BaseAddress.ToString(),
            // The service's admin key, sent as the Bearer credential the service requires.
            ["PLATFORM_TOKEN"] = PlatformFactory.AdminKey,
        };
        var context = new CliContext(stdout, stderr, TextReader.Null, Path.GetTempPath(), name => variables.GetValueOrDefault(name))
        {
            HttpHandler = factory.Server.CreateHandler(),
        };
        var code = await PlatformCli.RunAsync(["deploy", .. args], context, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Deploy_Waits_StreamsProgress_AndSucceeds()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(DeploymentsApiTests.Shop("cli-dev"));

        var (code, stdout, stderr) = await DeployAsync(factory, "cli-dev", "api", "registry.example.com/shop/api:1.4.3", "--env", "LOG_LEVEL=debug");

        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains("changes: api-config (kubernetes:core/v1:ConfigMap), api-deployment (kubernetes:apps/v1:Deployment)", stdout, StringComparison.Ordinal);
        Assert.Contains("state: Update started.", stdout, StringComparison.Ordinal);
        Assert.Contains("deployment api rolled out", stdout, StringComparison.Ordinal);
        Assert.EndsWith("Rollout of api registry.example.com/shop/api:1.4.3 to cli-dev succeeded.", stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("registry.example.com/shop/api:1.4.3", (string)(await factory.GetEnvironmentAsync("cli-dev"))["spec"]!["spec"]!["services"]![0]!["image"]!);
    }

    [Fact]
    public async Task FailedRollout_ExitsNonZero_WithTheReason()
    {
        using var factory = new PlatformFactory();
        await factory.CreateAndWaitAsync(DeploymentsApiTests.Shop("cli-fail"));
        factory.Fake.Behave("up", "rollout-failure");

        var (code, stdout, stderr) = await DeployAsync(factory, "cli-fail", "api", "registry.example.com/shop/api:6.6.6");

        Assert.Equal(ExitCodes.DeployFailed, code);
        Assert.Contains("Waiting for app ReplicaSet to be available", stdout, StringComparison.Ordinal);
        Assert.Contains("error: rollout failed: rollout-failed:", stderr, StringComparison.Ordinal);
        Assert.Contains("ImagePullBackOff", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedDeploy_ExitsOne_WithTheProblem()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(DeploymentsApiTests.Shop("cli-bad"));

        var (code, _, stderr) = await DeployAsync(factory, "cli-bad", "api", "registry.example.com/shop/api:latest");

        Assert.Equal(ExitCodes.Invalid, code);
        Assert.Contains("deploy rejected (400)", stderr, StringComparison.Ordinal);
        Assert.Contains("image: ", stderr, StringComparison.Ordinal);
        Assert.Contains("latest", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_ExitsNonZero_NamingTheOperationToFollow()
    {
        using var factory = new PlatformFactory();
        await factory.CreateAndWaitAsync(DeploymentsApiTests.Shop("cli-slow"));
        factory.Fake.Behave("up", "hang");

        var (code, _, stderr) = await DeployAsync(factory, "cli-slow", "api", "registry.example.com/shop/api:1.5.0", "--timeout", "20s");

        Assert.Equal(ExitCodes.DeployFailed, code);
        Assert.Contains("did not finish within 20s", stderr, StringComparison.Ordinal);
        Assert.Contains("/v1/operations/op_", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingUrl_IsAUsageError()
    {
        using var stderr = new StringWriter();
        var context = new CliContext(TextWriter.Null, stderr, TextReader.Null, Path.GetTempPath(), _ => null);

        var code = await PlatformCli.RunAsync(["deploy", "a", "b", "c:1"], context, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("PLATFORM_URL", stderr.ToString(), StringComparison.Ordinal);
    }
}
