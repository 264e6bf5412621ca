using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>The driver against the real pulumi CLI: runs only where <c>pulumi</c> is on PATH.</summary>
public sealed class RealPulumiCliTests
{
    private static string? RealPulumi =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "pulumi"))
            .FirstOrDefault(File.Exists);

    [Fact]
    public async Task Readyz_ReportsTheRealCliVersion()
    {
        var pulumi = RealPulumi ?? SkipNoCli();
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = pulumi);
        var ready = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/readyz", TestContext.Current.CancellationToken))!;
        Assert.StartsWith("v3.", (string)ready["engine"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_OnTheLocalFileBackend_PassesFlagsTheRealCliAccepts()
    {
        var pulumi = RealPulumi ?? SkipNoCli();
        using var factory = new PlatformFactory(configure: s =>
        {
            s["Platform:PulumiPath"] = pulumi;
            s["Platform:DeployTimeout"] = "00:05:00";
        });

        // Without a cluster the deployment itself fails; what is checked is that the CLI accepted every flag the
        // driver passes (stack select, config set via stdin, --event-log) and the failure is mapped, not generic.
        var operation = await factory.CreateAndWaitAsync(Specs.Dev("real-dev"));
        var stacks = Directory.GetDirectories(Path.Combine(factory.DataDirectory, "backend", ".pulumi", "stacks"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(stacks);
        Assert.NotEqual("engine-missing", (string?)operation["error"]?["code"]);
    }

    private static string SkipNoCli()
    {
        Assert.Skip("pulumi CLI not on PATH: install it from https://www.pulumi.com/docs/install/ to run the real-CLI tests.");
        return "";
    }
}
