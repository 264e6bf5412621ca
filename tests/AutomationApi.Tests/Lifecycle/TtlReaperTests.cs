using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Lifecycle;

public sealed class TtlReaperTests
{
    [Fact]
    public async Task ExpiredEnvironment_IsDestroyedByTheReaper_AndKeepsItsRecord()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, engine: new InMemoryStackEngine());
        var created = await factory.CreateAndWaitAsync(Specs.Dev("ttl-dev", ttl: "2h"));
        Assert.Equal("succeeded", (string)created["state"]!);
        var environment = await factory.GetEnvironmentAsync("ttl-dev");
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(2), (DateTimeOffset)environment["expiresAt"]!);

        // Not yet expired: a sweep finds nothing.
        clock.Advance(TimeSpan.FromMinutes(61));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("ttl-dev"))["status"]!);
        Assert.Empty(factory.Memory.CallsOf("destroy"));

        clock.Advance(TimeSpan.FromMinutes(60));
        var destroyId = await WaitForAsync(async () => (string?)(await factory.GetEnvironmentAsync("ttl-dev"))["lastOperation"]?["id"] is { } id && id != (string)created["id"]! ? id : null);
        var destroy = await factory.WaitForOperationAsync(destroyId);
        Assert.Equal("destroy", (string)destroy["kind"]!);
        Assert.Equal("reaper", (string)destroy["origin"]!);
        Assert.Equal("succeeded", (string)destroy["state"]!);
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("ttl-dev"))["status"]!);
    }

    [Fact]
    public void Expiry_DevTakesTheTierDefault_ProdNeverExpires()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var dev = new EnvironmentSpec(new EnvironmentMetadata("a", "t", "cc-1"), Tier.Dev, "default", null, [], []);
        Assert.Equal(now + TimeSpan.FromDays(3), EnvironmentExpiry.AtCreation(dev, now));
        Assert.Equal(now + TimeSpan.FromHours(5), EnvironmentExpiry.AtCreation(dev with { Ttl = TimeSpan.FromHours(5) }, now));
        Assert.Null(EnvironmentExpiry.AtCreation(dev with { Tier = Tier.Prod }, now));
    }

    private static async Task<string> WaitForAsync(Func<Task<string?>> probe)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("The reaper queued nothing.");
        return "";
    }
}
