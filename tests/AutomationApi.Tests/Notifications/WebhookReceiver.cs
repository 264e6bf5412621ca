using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.AutomationApi.Tests.Notifications;

/// <summary>A request the receiver got.</summary>
public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A real HTTP receiver on 127.0.0.1 and a free port (Kestrel), answering with scripted status codes (the last one
/// repeats), recording every request.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly int[] _statuses;
    private int _count;

    private WebhookReceiver(int[] statuses)
    {
        _statuses = statuses.Length == 0 ? [200] : statuses;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.Enqueue(new ReceivedWebhook(
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
            var index = Interlocked.Increment(ref _count) - 1;
            return Results.StatusCode(_statuses[Math.Min(index, _statuses.Length - 1)]);
        });
    }

    /// <summary>The hook's URL.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every request so far, in order.</summary>
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Starts a receiver answering <paramref name="statuses"/> in turn.</summary>
    public static async Task<WebhookReceiver> StartAsync(params int[] statuses)
    {
        var receiver = new WebhookReceiver(statuses);
        await receiver._app.StartAsync(TestContext.Current.CancellationToken);
        var address = receiver._app.Urls.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>A DNS stand-in: answers each lookup from a script (the last answer repeats), counting lookups.</summary>
public sealed class ScriptedResolver(params IPAddress[][] answers) : Platform.AutomationApi.Notifications.IWebhookHostResolver
{
    private int _calls;

    public int Calls => _calls;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls) - 1;
        return Task.FromResult(answers[Math.Min(call, answers.Length - 1)]);
    }
}
