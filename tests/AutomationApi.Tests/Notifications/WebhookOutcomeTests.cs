using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Notifications;

/// <summary>
/// Issue 12: a cancelled operation is delivered as such, and a receiver that never answers holds up no operation.
/// Issue 15: an operation the service fails itself (internal-error) is delivered like any other failure.
/// </summary>
public sealed class WebhookOutcomeTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static PlatformFactory Factory(InMemoryStackEngine engine) =>
        new(engine: engine, configure: s => s["Platform:Webhooks:PollInterval"] = "00:00:00.200");

    private static async Task<string> RegisterAsync(PlatformFactory factory, Uri url, params string[] events)
    {
        using var response = await factory.CreateClient().PostAsJsonAsync("/v1/webhooks",
            new { team = "payments", url = url.ToString(), events = events.Length == 0 ? null : events, allowPrivateNetwork = true }, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await PlatformFactory.ReadAsync(response))["id"]!;
    }

    [Fact]
    public async Task A_cancelled_operation_is_delivered_as_operation_cancelled_and_recorded()
    {
        var engine = new InMemoryStackEngine();
        await using var receiver = await WebhookReceiver.StartAsync(204);
        using var factory = Factory(engine);
        var webhook = await RegisterAsync(factory, receiver.Url, "operation.cancelled");
        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var held = await factory.PostSpecAsync(Specs.Dev("hook-cancel"));
        await factory.WaitForEngineStepAsync((string)(await PlatformFactory.ReadAsync(held))["id"]!);
        using var queued = await factory.CreateClient().PostAsync("/v1/environments/hook-cancel/refresh", null, Cancel);
        var queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
        Assert.Equal(HttpStatusCode.Accepted, (await factory.CreateClient().PostAsync($"/v1/operations/{queuedId}/cancel", null, Cancel)).StatusCode);

        JsonArray deliveries = [];
        for (var i = 0; i < 600 && !deliveries.Any(d => (string?)d!["state"] == "delivered"); i++)
        {
            await Task.Delay(50, Cancel);
            deliveries = (await factory.CreateClient().GetFromJsonAsync<JsonArray>($"/v1/webhooks/{webhook}/deliveries", Cancel))!;
        }

        var delivery = Assert.Single(deliveries)!;
        Assert.Equal("delivered", (string?)delivery["state"]);
        Assert.Equal(204, (int)delivery["responseStatus"]!);
        var request = Assert.Single(receiver.Received);
        Assert.Equal("operation.cancelled", request.Headers["Platform-Webhook-Event"]);
        Assert.Equal(queuedId, (string)JsonNode.Parse(request.Body)!["operation"]!["id"]!);
        engine.Release("hook-cancel");
    }

    [Fact]
    public async Task An_operation_failed_by_an_internal_error_is_delivered_once_as_operation_failed_without_secrets()
    {
        var engine = new InMemoryStackEngine();
        await using var receiver = await WebhookReceiver.StartAsync(204);
        using var factory = Factory(engine);
        var webhook = await RegisterAsync(factory, receiver.Url, "operation.failed", "operation.succeeded");

        // Not an engine failure (a result the executor classifies) but an exception out of the engine seam: the worker
        // fails the operation as internal-error (OperationWorker.MarkFailedAsync).
        engine.Script(EngineCommand.Up, EngineScript.Crash(new InvalidOperationException("a bug in the service's engine seam")));
        var failed = await factory.CreateAndWaitAsync(Specs.Dev("hook-internal"));
        Assert.Equal("failed", (string)failed["state"]!);
        Assert.Equal("internal-error", (string)failed["error"]!["code"]!);

        // A later outcome, delivered after it: by then a second delivery of the failure would have been made too.
        engine.Script(EngineCommand.Up, EngineScript.Succeed);
        var later = await factory.CreateAndWaitAsync(Specs.Dev("hook-after"));
        JsonArray deliveries = [];
        for (var i = 0; i < 1200 && !(deliveries.Count >= 2 && deliveries.All(d => (string?)d!["state"] == "delivered")); i++)
        {
            await Task.Delay(50, Cancel);
            deliveries = (await factory.CreateClient().GetFromJsonAsync<JsonArray>($"/v1/webhooks/{webhook}/deliveries", Cancel))!;
        }

        Assert.Equal(["operation.failed", "operation.succeeded"], deliveries.Select(d => (string)d!["type"]!).Order(StringComparer.Ordinal));
        Assert.All(deliveries, d => Assert.Equal("delivered", (string?)d!["state"]));
        var request = Assert.Single(receiver.Received, r => r.Headers["Platform-Webhook-Event"] == "operation.failed");
        var payload = JsonNode.Parse(request.Body)!;
        Assert.Equal("operation.failed", (string)payload["type"]!);
        Assert.Equal("hook-internal", (string)payload["environment"]!);
        Assert.Equal((string)failed["id"]!, (string)payload["operation"]!["id"]!);
        Assert.Equal("internal-error", (string)payload["operation"]!["error"]!["code"]!);
        var body = System.Text.Encoding.UTF8.GetString(request.Body);
        Assert.DoesNotContain(Specs.Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", body, StringComparison.Ordinal);
        Assert.DoesNotContain("a bug in the service's engine seam", body, StringComparison.Ordinal); // the service log has it, not the receiver
        Assert.Equal((string)later["id"]!, (string)JsonNode.Parse(Assert.Single(receiver.Received, r => r.Headers["Platform-Webhook-Event"] == "operation.succeeded").Body)!["operation"]!["id"]!);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_holds_up_no_operation()
    {
        var engine = new InMemoryStackEngine();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var hanging = builder.Build();
        hanging.MapPost("/hook", async (HttpContext context) =>
        {
            arrived.TrySetResult();
            await gate.Task.WaitAsync(context.RequestAborted);
            return Results.NoContent();
        });
        await hanging.StartAsync(Cancel);
        using var factory = Factory(engine);
        await RegisterAsync(factory, new Uri(new Uri(hanging.Urls.First()), "/hook"));

        // The first outcome's delivery hangs at the receiver; the operations after it run and finish all the same.
        var created = await factory.CreateAndWaitAsync(Specs.Dev("hook-hang"));
        Assert.Equal("succeeded", (string)created["state"]!);
        await arrived.Task.WaitAsync(TimeSpan.FromMinutes(2), Cancel);
        for (var i = 0; i < 3; i++)
        {
            using var refresh = await factory.CreateClient().PostAsync("/v1/environments/hook-hang/refresh", null, Cancel);
            var done = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
            Assert.Equal("succeeded", (string)done["state"]!);
        }

        Assert.False(gate.Task.IsCompleted);
        gate.SetResult();
        await hanging.StopAsync(CancellationToken.None);
    }
}
