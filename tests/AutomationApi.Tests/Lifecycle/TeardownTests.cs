using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Tests.Apis;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Lifecycle;

/// <summary>Destroying what was deployed, whatever changed since: targets, policies, a destroy that keeps failing.</summary>
public sealed class TeardownTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DestroyAndRefresh_StillWork_AfterTheEnvironmentsTargetWasRemoved()
    {
        var withLab = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(withLab, "targets:\n  lab:\n    kubeContext: kind-lab\n", Cancel);
        var spec = Specs.Dev("lab-dev").Replace("target: default", "target: lab", StringComparison.Ordinal);
        string dataDirectory;
        using (var first = new PlatformFactory(configure: s => s["Platform:TargetsFile"] = withLab))
        {
            dataDirectory = first.DataDirectory;
            Assert.Equal("succeeded", (string)(await first.CreateAndWaitAsync(spec))["state"]!);
        }

        // The platform team retires the target: new deployments to it are refused, tearing down must still work.
        var withoutLab = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(withoutLab, "targets:\n  other:\n    kubeContext: kind-other\n", Cancel);
        using var second = new PlatformFactory(dataDirectory, configure: s => s["Platform:TargetsFile"] = withoutLab);
        var client = second.CreateClient();

        using var refresh = await client.PostAsync("/v1/environments/lab-dev/refresh", null, Cancel);
        var refreshed = await second.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
        Assert.Equal("succeeded", (string)refreshed["state"]!);

        using var destroy = await client.DeleteAsync("/v1/environments/lab-dev", Cancel);
        var destroyed = await second.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);
        Assert.Equal("succeeded", (string)destroyed["state"]!);
        Assert.Single(second.Fake.CallsOf("destroy"));
        Assert.Equal("destroyed", (string)(await second.GetEnvironmentAsync("lab-dev"))["status"]!);
    }

    [Fact]
    public async Task AFailedReaperDestroy_IsRetriedAfterTheBackOff_NotEverySweep()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, configure: s => s["Platform:ReaperInterval"] = "30.00:00:00");
        await factory.CreateAndWaitAsync(Specs.Dev("stuck-ttl", ttl: "2h"));
        var reaper = EnvironmentUpdateTests.Reaper(factory);
        factory.Fake.Behave("destroy", "resource-error");

        clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(1, await reaper.SweepAsync(Cancel));
        var destroyId = (string)(await factory.GetEnvironmentAsync("stuck-ttl"))["lastOperation"]!["id"]!;
        Assert.Equal("failed", (string)(await factory.WaitForOperationAsync(destroyId))["state"]!);
        Assert.Equal("failed", (string)(await factory.GetEnvironmentAsync("stuck-ttl"))["status"]!);

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await reaper.SweepAsync(Cancel));
        clock.Advance(TimeSpan.FromMinutes(56));
        factory.Fake.Behave("destroy", "ok");
        Assert.Equal(1, await reaper.SweepAsync(Cancel));
        var retryId = (string)(await factory.GetEnvironmentAsync("stuck-ttl"))["lastOperation"]!["id"]!;
        Assert.NotEqual(destroyId, retryId);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(retryId))["state"]!);
    }

    [Fact]
    public async Task Destroy_WithoutTheWorkspaceProgram_AfterTheTargetLostSettings_CompilesWithoutTheGates()
    {
        var full = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(full, Specs.CompleteTargets, Cancel);
        var spec = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"), Cancel);
        string dataDirectory;
        using (var first = new PlatformFactory(configure: s => s["Platform:TargetsFile"] = full))
        {
            dataDirectory = first.DataDirectory;
            Assert.Equal("succeeded", (string)(await first.CreateAndWaitAsync(spec))["state"]!);
        }

        // The target lost its network settings and the workspace its program (the stack settings, with the secrets'
        // salt, stay): the destroy renders the program again, and only the gates could stand in the way.
        File.Delete(Path.Combine(dataDirectory, "workspaces", "checkout-staging", Platform.Components.Rendering.RenderedProgram.ProgramFileName));
        using var second = new PlatformFactory(dataDirectory);
        using var destroy = await second.CreateClient().DeleteAsync("/v1/environments/checkout-staging", Cancel);
        var destroyed = await second.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);

        Assert.True((string)destroyed["state"]! == "succeeded", destroyed.ToJsonString());
        Assert.Equal("destroyed", (string)(await second.GetEnvironmentAsync("checkout-staging"))["status"]!);
    }
}
