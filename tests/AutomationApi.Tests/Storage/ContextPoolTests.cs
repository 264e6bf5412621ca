using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// Issue 14: contexts come from a pool (building one per request was a fifth of a read's CPU), and a context handed
/// out again carries nothing of the request that had it before: no tracked entity, no changed setting.
/// </summary>
public sealed class ContextPoolTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task A_pooled_context_comes_back_with_nothing_of_its_last_request(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("pooled-dev"));

        PlatformDbContext first;
        using (var scope = factory.Services.CreateScope())
        {
            first = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            var tracked = await first.Environments.SingleAsync(e => e.Name == "pooled-dev", Cancel);
            tracked.Target = "changed-and-never-saved";
            first.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            first.ChangeTracker.AutoDetectChangesEnabled = false;
            first.Database.SetCommandTimeout(1);
            Assert.NotEmpty(first.ChangeTracker.Entries());
        }

        // Background services rent contexts too: take leases until this one comes back (a pool hands it out again).
        for (var lease = 0; ; lease++)
        {
            Assert.True(lease < 200, "The context never came back from the pool.");
            using var scope = factory.Services.CreateScope();
            var next = lease % 2 == 0
                ? scope.ServiceProvider.GetRequiredService<PlatformDbContext>()
                : await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel);
            try
            {
                if (!ReferenceEquals(first, next))
                {
                    continue;
                }

                Assert.Empty(next.ChangeTracker.Entries());
                Assert.Equal(QueryTrackingBehavior.TrackAll, next.ChangeTracker.QueryTrackingBehavior);
                Assert.True(next.ChangeTracker.AutoDetectChangesEnabled);
                Assert.NotEqual(1, next.Database.GetCommandTimeout());
                Assert.Equal("default", (await next.Environments.SingleAsync(e => e.Name == "pooled-dev", Cancel)).Target);
                Assert.Single(next.ChangeTracker.Entries());
                break;
            }
            finally
            {
                if (lease % 2 == 1)
                {
                    await next.DisposeAsync();
                }
            }
        }
    }
}
