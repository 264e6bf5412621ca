using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests;

public sealed class PlatformOptionsTests
{
    [Fact]
    public void Ctor_DocumentedDefaults()
    {
        var options = new PlatformOptions();
        Assert.Equal(".data", options.DataDirectory);
        Assert.Equal("pulumi", options.PulumiPath);
        Assert.Null(options.BackendUrl);
        Assert.Null(options.TargetsFile);
        Assert.Null(options.PolicyFile);
        Assert.Equal(4, options.MaxConcurrentOperations);
        Assert.Equal(TimeSpan.FromMinutes(30), options.DeployTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.InspectTimeout);
        Assert.Equal(TimeSpan.FromHours(1), options.CancelGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(2), options.WorkerPollInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ReaperInterval);
        Assert.Equal(3, options.EngineRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), options.EngineRetryDelay);
        Assert.Equal(5, options.CircuitBreakerFailures);
        Assert.Equal(TimeSpan.FromMinutes(1), options.CircuitBreakDuration);
        Assert.Equal(50, options.DefaultPageSize);
        Assert.Equal(1024 * 1024, options.Limits.MaxRequestBodyBytes);
        Assert.Equal(200, options.Limits.MaxServices);
        Assert.Equal(100, options.Limits.MaxResources);
        Assert.Null(options.Passphrase);
        Assert.Null(options.Replicas.Id);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Replicas.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Replicas.HeartbeatInterval);
        Assert.True(options.Replicas.ListenNotify);
        Assert.Equal(TimeSpan.FromSeconds(2), options.EventPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReadCache.Duration);
        Assert.Equal(10_000, options.ReadCache.MaxEntries);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.ReadCache.RefreshAhead);
    }

    [Fact]
    public void Paths_DefaultBackendIsAFileUrlUnderTheDataDirectory()
    {
        var paths = new PlatformPaths(new PlatformOptions(), "/srv/app");
        Assert.Equal("/srv/app/.data", paths.DataDirectory);
        Assert.Equal("file:///srv/app/.data/backend", paths.BackendUrl);
        Assert.Equal("/srv/app/.data/backend", paths.LocalBackendDirectory);
        Assert.Equal("/srv/app/.data/workspaces/shop", paths.Workspace("shop"));
        Assert.Equal("/srv/app/.data/platform.db", paths.DatabaseFile);

        var remote = new PlatformPaths(new PlatformOptions { BackendUrl = "s3://bucket/state", DataDirectory = "/var/platform" }, "/srv/app");
        Assert.Equal("s3://bucket/state", remote.BackendUrl);
        Assert.Null(remote.LocalBackendDirectory);
        Assert.Equal("/var/platform", remote.DataDirectory);
    }

    [Fact]
    public async Task PlatformDataDir_SetsTheDataDirectory_WhenTheSectionDoesNot()
    {
        var directory = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"), "via-env");
        using var factory = new PlatformFactory(configure: s =>
        {
            s.Remove("Platform:DataDirectory");
            s["PLATFORM_DATA_DIR"] = directory;
            s["Platform:BackendUrl"] = new Uri(Path.Combine(directory, "backend")).AbsoluteUri;
        });
        using var response = await factory.CreateClient().GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.True(File.Exists(Path.Combine(directory, "platform.db")));
    }
}
