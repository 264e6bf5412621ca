using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class IdempotencyKeyCleanupTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AKey_IsRememberedForItsRetention_ThenFreeAgain_AndTheCleanupJobDeletesIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new PlatformFactory(time: time, engine: new InMemoryStackEngine());
        using var first = await factory.PostSpecAsync(Specs.Dev("keyed-dev"), idempotencyKey: "deploy-42");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var firstId = (string)(await PlatformFactory.ReadAsync(first))["id"]!;

        // Within the retention: the same key with another request is refused.
        time.Advance(TimeSpan.FromHours(23));
        using var reused = await factory.PostSpecAsync(Specs.Dev("other-dev"), idempotencyKey: "deploy-42");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(1, await KeysAsync(factory));

        // Past it, the key is free: a request with it is a new request. The cleanup job deletes expired keys.
        time.Advance(TimeSpan.FromHours(1));
        using var fresh = await factory.PostSpecAsync(Specs.Dev("other-dev"), idempotencyKey: "deploy-42");
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.NotEqual(firstId, (string)(await PlatformFactory.ReadAsync(fresh))["id"]!);

        using var another = await factory.PostSpecAsync(Specs.Dev("third-dev"), idempotencyKey: "deploy-43");
        Assert.Equal(2, await KeysAsync(factory));
        time.Advance(TimeSpan.FromHours(25));
        for (var i = 0; i < 300 && await KeysAsync(factory) > 0; i++)
        {
            await Task.Delay(100, Cancel);
        }

        Assert.Equal(0, await KeysAsync(factory));
    }

    private static async Task<int> KeysAsync(PlatformFactory factory)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel);
        return await db.IdempotencyKeys.CountAsync(Cancel);
    }
}
