using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>What a PUT does to the rest of the environment's record: expiry, status, target.</summary>
public sealed class EnvironmentUpdateTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal static string WithTier(string spec, string tier) => spec.Replace("tier: dev", $"tier: {tier}", StringComparison.Ordinal);

    internal static async Task<JsonObject> PutAsync(PlatformFactory factory, string name, string spec)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/environments/{name}")
        {
            Content = new StringContent(spec, System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var response = await factory.CreateClient().SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await PlatformFactory.ReadAsync(response);
    }

    internal static TtlReaper Reaper(PlatformFactory factory) =>
        factory.Services.GetServices<IHostedService>().OfType<TtlReaper>().Single();

    [Fact]
    public async Task PromotingStagingToProd_ClearsTheExpiry_AndTheReaperLeavesItAlone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, engine: new InMemoryStackEngine());
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(WithTier(Specs.Dev("promo"), "staging")))["state"]!);
        Assert.NotNull((await factory.GetEnvironmentAsync("promo"))["expiresAt"]);

        var update = await PutAsync(factory, "promo", WithTier(Specs.Dev("promo"), "prod"));
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)update["id"]!))["state"]!);

        var environment = await factory.GetEnvironmentAsync("promo");
        Assert.Equal("prod", (string)environment["tier"]!);
        Assert.Null(environment["expiresAt"]);
        clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(0, await Reaper(factory).SweepAsync(Cancel));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("promo"))["status"]!);
        Assert.Empty(factory.Memory.CallsOf("destroy"));
    }

    [Fact]
    public async Task PutWithANewTtl_MovesTheExpiry_AndDemotingFromProdStartsTheTierDefault()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(time: clock, engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("ttl-put", ttl: "2h"));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(2), (DateTimeOffset)(await factory.GetEnvironmentAsync("ttl-put"))["expiresAt"]!);

        clock.Advance(TimeSpan.FromHours(1));
        var longer = await PutAsync(factory, "ttl-put", Specs.Dev("ttl-put", ttl: "5d"));
        await factory.WaitForOperationAsync((string)longer["id"]!);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(5), (DateTimeOffset)(await factory.GetEnvironmentAsync("ttl-put"))["expiresAt"]!);

        var prod = await PutAsync(factory, "ttl-put", WithTier(Specs.Dev("ttl-put"), "prod"));
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)prod["id"]!))["state"]!);
        Assert.Null((await factory.GetEnvironmentAsync("ttl-put"))["expiresAt"]);

        var back = await PutAsync(factory, "ttl-put", WithTier(Specs.Dev("ttl-put"), "staging"));
        await factory.WaitForOperationAsync((string)back["id"]!);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(14), (DateTimeOffset)(await factory.GetEnvironmentAsync("ttl-put"))["expiresAt"]!);
    }

    [Theory]
    [InlineData("ok", "ready")]
    [InlineData("resource-error", "failed")]
    public async Task ARefreshQueuedBehindAnUpdate_LeavesTheStatusToTheUpdate(string upBehaviour, string status)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("queued-dev"));
        var client = factory.CreateClient();

        // A held preview holds the environment, so the update and the refresh behind it are both queued.
        factory.Memory.Script(EngineCommand.Preview, EngineScript.Hold);
        factory.Memory.Script(EngineCommand.Up, upBehaviour == "ok" ? EngineScript.Succeed
            : EngineScript.Fail(new EngineError(EngineErrorCodes.Resource, "creating 'api' (kubernetes:apps/v1:Deployment) failed", false)));
        using var preview = await client.PostAsync("/v1/environments/queued-dev/preview", null, Cancel);
        var previewId = (string)(await PlatformFactory.ReadAsync(preview))["id"]!;
        var update = await PutAsync(factory, "queued-dev", Specs.Dev("queued-dev", image: "registry.example.com/payments/api:2.0.0"));
        using var refresh = await client.PostAsync("/v1/environments/queued-dev/refresh", null, Cancel);
        var refreshId = (string)(await PlatformFactory.ReadAsync(refresh))["id"]!;

        Assert.Equal("queued", (string)(await factory.GetEnvironmentAsync("queued-dev"))["lastOperation"]!["state"]!);
        factory.Memory.Release("queued-dev");
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(previewId))["state"]!);
        await factory.WaitForOperationAsync((string)update["id"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(refreshId))["state"]!);

        var environment = await factory.GetEnvironmentAsync("queued-dev");
        Assert.Equal(status, (string)environment["status"]!);
        Assert.Equal((string)update["id"]!, (string)environment["lastOperation"]!["id"]!);
    }

    [Fact]
    public async Task Extend_NeverShortensTheExpiry_AndAnOverflowingTtlIs400()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("extend-keep"));
        var client = factory.CreateClient();
        using var week = await client.PostAsJsonAsync("/v1/environments/extend-keep/extend", new { ttl = "7d" }, Cancel);
        var weekOut = (DateTimeOffset)(await PlatformFactory.ReadAsync(week))["expiresAt"]!;

        using var shorter = await client.PostAsJsonAsync("/v1/environments/extend-keep/extend", new { ttl = "1h" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, shorter.StatusCode);
        Assert.Equal(weekOut, (DateTimeOffset)(await PlatformFactory.ReadAsync(shorter))["expiresAt"]!, TimeSpan.FromMilliseconds(1));
        Assert.Equal(weekOut, (DateTimeOffset)(await factory.GetEnvironmentAsync("extend-keep"))["expiresAt"]!, TimeSpan.FromMilliseconds(1));

        using var huge = await client.PostAsJsonAsync("/v1/environments/extend-keep/extend", new { ttl = "10000000d" }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.True((await PlatformFactory.ReadAsync(huge))["errors"]!.AsObject().ContainsKey("ttl"));

        // No ttl, and a zero one, each say what is wrong with it.
        foreach (var (body, message) in new[]
        {
            ("{}", "Name the new lifetime from now in hours or days, e.g. {\"ttl\": \"48h\"} or 7d."),
            ("""{"ttl":"0h"}""", "'0h' is no lifetime. Give more than zero hours or days, e.g. 48h or 7d."),
        })
        {
            using var refused = await client.PostAsync("/v1/environments/extend-keep/extend", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Cancel);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.StartsWith(message, (string)(await PlatformFactory.ReadAsync(refused))["errors"]!["ttl"]![0]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Extend_WhileDestroyingOrDestroyed_Is409()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("extend-gone"));
        var client = factory.CreateClient();
        factory.Memory.Script(EngineCommand.Destroy, EngineScript.Hold);
        using var destroy = await client.DeleteAsync("/v1/environments/extend-gone", Cancel);
        var destroyId = (string)(await PlatformFactory.ReadAsync(destroy))["id"]!;

        using var destroying = await client.PostAsJsonAsync("/v1/environments/extend-gone/extend", new { ttl = "2d" }, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, destroying.StatusCode);

        factory.Memory.Release("extend-gone");
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroyId))["state"]!);
        using var destroyed = await client.PostAsJsonAsync("/v1/environments/extend-gone/extend", new { ttl = "2d" }, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, destroyed.StatusCode);
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("extend-gone"))["status"]!);
    }

    [Fact]
    public async Task Put_ToAnotherTarget_Is409AndQueuesNothing()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, "targets:\n  lab:\n    kubeContext: kind-lab\n", Cancel);
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:TargetsFile"] = targets);
        await factory.CreateAndWaitAsync(Specs.Dev("mover"));

        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/mover")
        {
            Content = new StringContent(Specs.Dev("mover").Replace("target: default", "target: lab", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var response = await factory.CreateClient().SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cannot move between deployment targets", (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
        var environment = await factory.GetEnvironmentAsync("mover");
        Assert.Equal("default", (string)environment["target"]!);
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Single(factory.Memory.CallsOf("up"));
    }
}
