using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Auth;

/// <summary>Issue 12 with issue 15: replicas starting together on an empty store create one first admin key between them.</summary>
public sealed class BootstrapReplicaTests
{
    [Fact]
    public async Task Two_replicas_starting_together_on_an_empty_PostgreSQL_store_create_and_print_one_admin_key()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        var engine = new InMemoryStackEngine();
        using var printedByA = new StringWriter();
        using var printedByB = new StringWriter();
        using var a = Replica(store, "replica-a", engine, printedByA);
        using var b = Replica(store, "replica-b", engine, printedByB);

        // Both hosts start at once: each migrates (one at a time) and then looks for an admin key.
        await Task.WhenAll(Task.Run(() => a.Server), Task.Run(() => b.Server));

        var printed = new[] { printedByA.ToString(), printedByB.ToString() }.Where(p => p.Length > 0).ToList();
        var line = Assert.Single(printed);
        var key = line.Split(' ').Last().Trim();
        Assert.StartsWith(ApiKeySecrets.Prefix, key, StringComparison.Ordinal);
        Assert.Equal(1L, await store.ScalarAsync("SELECT count(*) FROM \"ApiKeys\" WHERE \"Role\" = 'Admin'"));
        foreach (var replica in new[] { a, b })
        {
            using var client = replica.CreateClient(key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys", TestContext.Current.CancellationToken)).StatusCode);
        }
    }

    private static PlatformFactory Replica(TestStore store, string id, InMemoryStackEngine engine, StringWriter output) =>
        new(store: store, engine: engine, configure: s =>
        {
            s.Remove("Platform:Auth:BootstrapAdminKey");
            s["Platform:Replicas:Id"] = id;
            s["Platform:Passphrase"] = "replicas-share-this-passphrase";
        })
        {
            TestServices = services => services.AddSingleton(new BootstrapKeyOutput(output)),
        };
}
