using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Notifications;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Notifications;

/// <summary>Issue 12: webhooks, signed, retried with back-off on the injected clock, recorded, and kept out of the network.</summary>
public sealed class WebhookTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static PlatformFactory Factory(
        FakeTimeProvider clock, int maxAttempts = 3, IWebhookHostResolver? resolver = null, InMemoryStackEngine? engine = null, string? dataDirectory = null) =>
        new(dataDirectory, time: clock, engine: engine ?? new InMemoryStackEngine(), configure: s =>
        {
            s["Platform:Webhooks:PollInterval"] = "00:00:00.200";
            s["Platform:Webhooks:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture);
            s["Platform:Webhooks:RetryDelay"] = "00:01:00";

            // Long on the fake clock: the test moves it in small steps while a request may be in flight.
            s["Platform:Webhooks:AttemptTimeout"] = "08:00:00";
        })
        {
            TestServices = resolver is null ? null : services =>
            {
                services.RemoveAll<IWebhookHostResolver>();
                services.AddSingleton(resolver);
            },
        };

    private static async Task<JsonObject> RegisterAsync(PlatformFactory factory, Uri url, bool allowPrivate = true, string[]? events = null)
    {
        using var response = await factory.CreateClient().PostAsJsonAsync("/v1/webhooks",
            new { team = "payments", url = url.ToString(), events, allowPrivateNetwork = allowPrivate }, Cancel);
        var body = await PlatformFactory.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    private static async Task<JsonObject> DeliveryAsync(PlatformFactory factory, string webhookId, Func<JsonObject, bool> done, FakeTimeProvider? step = null)
    {
        var client = factory.CreateClient();
        for (var i = 0; i < 3000; i++)
        {
            var deliveries = (await client.GetFromJsonAsync<JsonArray>($"/v1/webhooks/{webhookId}/deliveries", Cancel))!;
            if (deliveries.Count > 0 && done(deliveries[0]!.AsObject()))
            {
                return deliveries[0]!.AsObject();
            }

            // Retry back-off runs on the fake clock: time passes only as the test moves it.
            step?.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(20, Cancel);
        }

        Assert.Fail("The delivery did not reach the expected state.");
        return null!;
    }

    private static string Hmac(string secret, string timestamp, byte[] body)
    {
        // The README's recipe, written out independently of the service's code.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return "v1=" + Convert.ToHexStringLower(hmac.ComputeHash(signed));
    }

    [Fact]
    public async Task An_operation_outcome_is_delivered_signed_over_timestamp_and_body()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync(204);
        using var factory = Factory(clock);
        var webhook = await RegisterAsync(factory, receiver.Url);
        var secret = (string)webhook["secret"]!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var created = await factory.CreateAndWaitAsync(Specs.Dev("hook-dev"));
        var delivery = await DeliveryAsync(factory, (string)webhook["id"]!, d => (string)d["state"]! == "delivered");
        Assert.Equal(1, (int)delivery["attempts"]!);
        Assert.Equal(204, (int)delivery["responseStatus"]!);

        var request = Assert.Single(receiver.Received);
        Assert.Equal((string)delivery["id"]!, request.Headers["Platform-Webhook-Id"]);
        Assert.Equal("operation.succeeded", request.Headers["Platform-Webhook-Event"]);
        var timestamp = request.Headers["Platform-Webhook-Timestamp"];
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), timestamp);
        Assert.Equal(Hmac(secret, timestamp, request.Body), request.Headers["Platform-Webhook-Signature"]);
        Assert.NotEqual(Hmac(secret, timestamp, [.. request.Body, (byte)' ']), request.Headers["Platform-Webhook-Signature"]);
        Assert.True(WebhookSignature.Verify(secret, timestamp, request.Headers["Platform-Webhook-Signature"], request.Body, clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, timestamp, request.Headers["Platform-Webhook-Signature"], request.Body, clock.GetUtcNow().AddMinutes(6), TimeSpan.FromMinutes(5)));

        var payload = JsonNode.Parse(request.Body)!;
        Assert.Equal("operation.succeeded", (string)payload["type"]!);
        Assert.Equal("hook-dev", (string)payload["environment"]!);
        Assert.Equal("payments", (string)payload["team"]!);
        Assert.Equal((string)created["id"]!, (string)payload["operation"]!["id"]!);
        Assert.Equal("create", (string)payload["operation"]!["kind"]!);

        // The secret is shown once: never in reads, and stored encrypted.
        var read = (await factory.CreateClient().GetFromJsonAsync<JsonObject>($"/v1/webhooks/{webhook["id"]}", Cancel))!;
        Assert.Null(read["secret"]);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel);
        Assert.DoesNotContain(secret, (await db.Webhooks.SingleAsync(Cancel)).SecretProtected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operation_interrupted_by_a_stop_is_delivered_once_recovery_finds_it_naming_its_rerun()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync(204);
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"));
        string operationId, webhookId;
        using (var first = Factory(clock, engine: engine, dataDirectory: dataDirectory))
        {
            webhookId = (string)(await RegisterAsync(first, receiver.Url, events: ["operation.interrupted"]))["id"]!;
            using var created = await first.PostSpecAsync(Specs.Dev("stopped-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            await engine.WaitForStepAsync(operationId);
        }

        // The service stopped mid-operation; the next start recovers it, and its webhook hears of it.
        engine.Script(EngineCommand.Up, EngineScript.Succeed);
        using var second = Factory(clock, engine: engine, dataDirectory: dataDirectory);
        await DeliveryAsync(second, webhookId, d => (string)d["state"]! == "delivered");
        var interrupted = await second.WaitForOperationAsync(operationId);
        Assert.Equal("interrupted", (string)interrupted["state"]!);

        var request = Assert.Single(receiver.Received);
        Assert.Equal("operation.interrupted", request.Headers["Platform-Webhook-Event"]);
        var payload = JsonNode.Parse(request.Body)!;
        Assert.Equal("operation.interrupted", (string)payload["type"]!);
        Assert.Equal("stopped-dev", (string)payload["environment"]!);
        Assert.Equal(operationId, (string)payload["operation"]!["id"]!);
        Assert.Equal("interrupted", (string)payload["operation"]!["state"]!);
        Assert.Equal("interrupted", (string)payload["operation"]!["error"]!["code"]!);
        Assert.Equal((string)interrupted["retriedAs"]!, (string)payload["operation"]!["retriedAs"]!);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_on_the_clock_until_it_answers()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync(503, 500, 200);
        using var factory = Factory(clock, maxAttempts: 5);
        var webhook = await RegisterAsync(factory, receiver.Url, events: ["operation.succeeded"]);
        await factory.CreateAndWaitAsync(Specs.Dev("retry-dev"));

        // The first attempt fails; without the clock moving, no retry comes (the back-off waits on the fake clock).
        while (receiver.Received.Count == 0)
        {
            await Task.Delay(20, Cancel);
        }

        await Task.Delay(500, Cancel);
        Assert.Single(receiver.Received);

        var delivery = await DeliveryAsync(factory, (string)webhook["id"]!, d => (string)d["state"]! == "delivered", step: clock);
        Assert.Equal(3, (int)delivery["attempts"]!);
        Assert.Equal(200, (int)delivery["responseStatus"]!);
        Assert.Equal(3, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Headers["Platform-Webhook-Id"]).Distinct());

        // Each attempt is signed when it is sent, with its own timestamp.
        var secret = (string)webhook["secret"]!;
        Assert.All(receiver.Received, r => Assert.Equal(Hmac(secret, r.Headers["Platform-Webhook-Timestamp"], r.Body), r.Headers["Platform-Webhook-Signature"]));
        Assert.True(long.Parse(receiver.Received[2].Headers["Platform-Webhook-Timestamp"], CultureInfo.InvariantCulture) >
                    long.Parse(receiver.Received[0].Headers["Platform-Webhook-Timestamp"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_given_up_after_the_configured_attempts_and_recorded()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync(500);
        var engine = new InMemoryStackEngine();
        engine.Script(EngineCommand.Up, EngineScript.Fail(new EngineError(EngineErrorCodes.Resource, "creating 'api' (kubernetes:apps/v1:Deployment) failed", false)));
        using var factory = Factory(clock, maxAttempts: 3, engine: engine);
        var webhook = await RegisterAsync(factory, receiver.Url, events: ["operation.failed"]);
        var failed = await factory.CreateAndWaitAsync(Specs.Dev("giveup-dev"));
        Assert.Equal("failed", (string)failed["state"]!);

        var delivery = await DeliveryAsync(factory, (string)webhook["id"]!, d => (string)d["state"]! == "failed", step: clock);
        Assert.Equal(3, (int)delivery["attempts"]!);
        Assert.Equal(500, (int)delivery["responseStatus"]!);
        Assert.Contains("Gave up after 3 attempt(s)", (string)delivery["error"]!, StringComparison.Ordinal);
        Assert.Equal(3, receiver.Received.Count);
        var payload = JsonNode.Parse(receiver.Received[0].Body)!;
        Assert.Equal("operation.failed", (string)payload["type"]!);
        Assert.Equal("resource-error", (string)payload["operation"]!["error"]!["code"]!);

        // Nothing more is sent once it gave up.
        clock.Advance(TimeSpan.FromHours(1));
        await Task.Delay(600, Cancel);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "loopback")]
    [InlineData("http://[::1]:9/hook", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("https://10.1.2.3/hook", "private")]
    [InlineData("https://192.168.0.10/hook", "private")]
    [InlineData("https://[fd00::1]/hook", "private")]
    [InlineData("https://[::ffff:127.0.0.1]/hook", "loopback")]
    public async Task Registration_refuses_internal_addresses_unless_an_admin_allows_them(string url, string why)
    {
        using var factory = Factory(new FakeTimeProvider(Start));
        using var refused = await factory.CreateClient().PostAsJsonAsync("/v1/webhooks", new { team = "payments", url }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await PlatformFactory.ReadAsync(refused);
        Assert.Contains(why, (string)problem["errors"]!["url"]![0]!, StringComparison.Ordinal);
        Assert.Contains("admin", (string)problem["errors"]!["url"]![0]!, StringComparison.Ordinal);

        using var allowed = await factory.CreateClient().PostAsJsonAsync("/v1/webhooks", new { team = "payments", url, allowPrivateNetwork = true }, Cancel);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task A_name_that_resolves_inside_the_network_at_delivery_is_refused_and_recorded()
    {
        // Public when registered and when the dispatcher checks it; loopback by the time the connection opens (DNS rebinding).
        var resolver = new ScriptedResolver([IPAddress.Parse("93.184.216.34")], [IPAddress.Parse("93.184.216.34")], [IPAddress.Loopback]);
        await using var receiver = await WebhookReceiver.StartAsync(200);
        using var factory = Factory(new FakeTimeProvider(Start), resolver: resolver);
        var url = new Uri($"http://hooks.example.test:{receiver.Url.Port}/hook");
        var webhook = await RegisterAsync(factory, url, allowPrivate: false);
        await factory.CreateAndWaitAsync(Specs.Dev("rebind-dev"));

        var delivery = await DeliveryAsync(factory, (string)webhook["id"]!, d => (string)d["state"]! is "refused" or "delivered" or "failed");
        Assert.Equal("refused", (string)delivery["state"]!);
        Assert.Contains("loopback", (string)delivery["error"]!, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
        Assert.Equal(3, resolver.Calls);

        // Refused at the dispatcher's own check too, before any connection.
        var early = new ScriptedResolver([IPAddress.Parse("93.184.216.34")], [IPAddress.Parse("10.0.0.7")]);
        using var second = Factory(new FakeTimeProvider(Start), resolver: early);
        var hook = await RegisterAsync(second, url, allowPrivate: false);
        await second.CreateAndWaitAsync(Specs.Dev("rebind-dev"));
        var refused = await DeliveryAsync(second, (string)hook["id"]!, d => (string)d["state"]! is "refused" or "delivered" or "failed");
        Assert.Equal("refused", (string)refused["state"]!);
        Assert.Equal(0, (int)refused["attempts"]!);
        Assert.Contains("private", (string)refused["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expiry_warnings_come_24_hours_and_1_hour_before_the_TTL_destroy_once_each()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync(200);
        using var factory = Factory(clock);
        var webhook = await RegisterAsync(factory, receiver.Url, events: ["environment.expiring-24h", "environment.expiring-1h"]);
        await factory.CreateAndWaitAsync(Specs.Dev("exp-dev", ttl: "30h"));
        await Task.Delay(600, Cancel);
        Assert.Empty(receiver.Received);

        clock.Advance(TimeSpan.FromHours(7)); // 23 h left
        await WaitForAsync(() => receiver.Received.Count == 1);
        var first = JsonNode.Parse(receiver.Received[0].Body)!;
        Assert.Equal("environment.expiring-24h", (string)first["type"]!);
        Assert.Equal(Start + TimeSpan.FromHours(30), (DateTimeOffset)first["expiresAt"]!);

        // The clock moves on only once that delivery is recorded: moving it while a request is in flight would time it out.
        await DeliveryAsync(factory, (string)webhook["id"]!, d => (string)d["state"]! == "delivered");

        clock.Advance(TimeSpan.FromHours(22.5)); // 30 min left
        await WaitForAsync(() => receiver.Received.Count == 2, async () => await factory.CreateClient().GetStringAsync($"/v1/webhooks/{webhook["id"]}/deliveries", Cancel));
        Assert.Equal("environment.expiring-1h", (string)JsonNode.Parse(receiver.Received[1].Body)!["type"]!);

        // Further passes repeat nothing.
        await Task.Delay(800, Cancel);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task Registration_names_each_bad_field()
    {
        using var factory = Factory(new FakeTimeProvider(Start));
        using var response = await factory.CreateClient().PostAsJsonAsync("/v1/webhooks", new { url = "ftp://x", events = new[] { "operation.exploded" } }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(response))["errors"]!.AsObject();
        Assert.Equal(["events", "team", "url"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("operation.succeeded", (string)errors["events"]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_team_manages_only_its_own_webhooks_and_only_an_admin_allows_private_addresses()
    {
        using var factory = Factory(new FakeTimeProvider(Start));
        var url = "http://93.184.216.34/hook"; // a public address literal: no resolution needed
        using var admin = factory.CreateClient();
        using var shippingHook = await admin.PostAsJsonAsync("/v1/webhooks", new { team = "shipping", url }, Cancel);
        Assert.Equal(HttpStatusCode.Created, shippingHook.StatusCode);
        var shippingId = (string)(await PlatformFactory.ReadAsync(shippingHook))["id"]!;

        using var developer = factory.CreateClient(await factory.CreateKeyAsync("payments", "developer"));
        using var viewer = factory.CreateClient(await factory.CreateKeyAsync("payments", "viewer"));
        async Task<(HttpStatusCode Status, JsonObject Body)> RegisterAsync(HttpClient client, object body)
        {
            using var response = await client.PostAsJsonAsync("/v1/webhooks", body, Cancel);
            return (response.StatusCode, await PlatformFactory.ReadAsync(response));
        }

        // Its own team by default; another team's, a viewer's, and a private-address override are refused, naming why.
        var own = await RegisterAsync(developer, new { url });
        Assert.Equal(HttpStatusCode.Created, own.Status);
        Assert.Equal("payments", (string)own.Body["team"]!);
        foreach (var (client, body, field) in new (HttpClient, object, string)[]
                 {
                     (developer, new { team = "shipping", url }, "team"),
                     (viewer, new { url }, "role"),
                     (developer, new { url, allowPrivateNetwork = true }, "allowPrivateNetwork"),
                 })
        {
            var refused = await RegisterAsync(client, body);
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.True(refused.Body["errors"]!.AsObject().ContainsKey(field), refused.Body.ToJsonString());
        }

        // Another team's webhook does not exist for the caller; its own list holds only its team's.
        var listed = await developer.GetFromJsonAsync<JsonArray>("/v1/webhooks", Cancel);
        Assert.Equal(["payments"], listed!.Select(w => (string)w!["team"]!));
        foreach (var path in new[] { $"/v1/webhooks/{shippingId}", $"/v1/webhooks/{shippingId}/deliveries" })
        {
            using var hidden = await developer.GetAsync(path, Cancel);
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        using var notDeleted = await developer.DeleteAsync($"/v1/webhooks/{shippingId}", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, notDeleted.StatusCode);
        using var viewerDelete = await viewer.DeleteAsync($"/v1/webhooks/{(string)own.Body["id"]!}", Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, viewerDelete.StatusCode);
        using var stillThere = await admin.GetAsync($"/v1/webhooks/{shippingId}", Cancel);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<Task<string>>? describe = null)
    {
        for (var i = 0; i < 1500 && !condition(); i++)
        {
            await Task.Delay(20, Cancel);
        }

        Assert.True(condition(), describe is null ? null : await describe());
    }
}
