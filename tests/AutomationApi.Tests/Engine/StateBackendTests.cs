using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>The Pulumi state backend and secrets provider come from configuration and reach the CLI untouched.</summary>
public sealed class StateBackendTests
{
    [Fact]
    public async Task TheConfiguredSecretsProvider_CreatesTheStack_OnTheConfiguredBackend()
    {
        var backend = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"), "state");
        Directory.CreateDirectory(backend);
        var configured = new FakePulumi(backend);
        using var factory = new PlatformFactory(configure: s =>
        {
            s["Platform:BackendUrl"] = new Uri(backend + "/").AbsoluteUri.TrimEnd('/');
            s["Platform:SecretsProvider"] = "awskms://alias/platform-state?region=eu-west-1";
        });

        var created = await factory.CreateAndWaitAsync(Specs.Dev("kms-dev"));
        Assert.True((string)created["state"]! == "succeeded", created.ToJsonString());

        // Every command went to the configured backend (the stand-in keeps its state where PULUMI_BACKEND_URL points),
        // none to the default one in the data directory; the stack was created with the configured provider.
        var selects = configured.CallsOf("stack").Where(c => c.StartsWith("stack select", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(selects);
        Assert.All(selects, c => Assert.Contains("--secrets-provider awskms://alias/platform-state?region=eu-west-1", c, StringComparison.Ordinal));
        Assert.Single(configured.CallsOf("up"));
        Assert.Empty(factory.Fake.Calls);
    }
}
