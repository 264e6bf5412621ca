using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Extensions;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Targets;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class TargetsTests
{
    [Fact]
    public async Task ConfiguredTargets_AreListedAndUsable_UnknownOnesAre400()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, "targets:\n  eu-staging:\n    kubeContext: eks-eu\n    awsRegion: eu-west-1\n    baseDomain: staging.example.com\n", TestContext.Current.CancellationToken);
        using var factory = new PlatformFactory(configure: s => s["Platform:TargetsFile"] = targets);

        var paths = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/golden-paths", TestContext.Current.CancellationToken))!;
        Assert.Equal(["default", "eu-staging"], paths["targets"]!.AsArray().Select(t => (string)t!));

        var operation = await factory.CreateAndWaitAsync(Specs.Dev("eu-dev").Replace("target: default", "target: eu-staging", StringComparison.Ordinal));
        Assert.Equal("succeeded", (string)operation["state"]!);
        Assert.Equal("eu-staging", (string)(await factory.GetEnvironmentAsync("eu-dev"))["target"]!);
        var program = await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "workspaces", "eu-dev", "Pulumi.yaml"), TestContext.Current.CancellationToken);
        Assert.Contains("eks-eu", program + await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, "workspaces", "eu-dev", "Pulumi.eu-dev.yaml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var unknown = await factory.PostSpecAsync(Specs.Dev("us-dev").Replace("target: default", "target: us-prod", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await PlatformFactory.ReadAsync(unknown))["errors"]!.AsObject().ContainsKey("spec.target"));
    }

    [Fact]
    public async Task TargetsFile_FromTheClisVariable_AndAMissingConfiguredFileStopsTheService()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, "targets:\n  lab:\n    kubeContext: kind-lab\n", TestContext.Current.CancellationToken);
        using (var factory = new PlatformFactory(configure: s => s["PLATFORM_TARGETS"] = targets))
        {
            var paths = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/golden-paths", TestContext.Current.CancellationToken))!;
            Assert.Contains("lab", paths["targets"]!.AsArray().Select(t => (string)t!));
        }

        // A named targets file that is missing stops the service. Resolved directly: through WebApplicationFactory a
        // start-up failure can surface as a disposed service provider instead, depending on timing.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Platform:DataDirectory"] = Path.GetDirectoryName(targets);
        builder.Configuration["Platform:TargetsFile"] = "/nonexistent/targets.yaml";
        builder.AddPlatformOptions();
        builder.AddPlatformStorage();
        builder.AddPlatformEngine();
        await using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<TargetSettings>());
        Assert.Contains("/nonexistent/targets.yaml", error.Message, StringComparison.Ordinal);
    }
}
