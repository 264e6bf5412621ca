using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Platform.AutomationApi.Notifications;

/// <summary>What one delivery carries through the HTTP pipeline to <see cref="WebhookAttemptHandler"/>.</summary>
internal sealed class WebhookAttempts(string secret)
{
    public static readonly HttpRequestOptionsKey<WebhookAttempts> Key = new("platform.webhook");

    public string Secret { get; } = secret;

    public int Count { get; set; }

    public int? LastStatus { get; set; }

    public string? LastError { get; set; }
}

/// <summary>
/// Inside the resilience handler, so it runs once per attempt: counts the attempt, and signs it with a fresh timestamp
/// (a retry after a long back-off is not refused as a replay).
/// </summary>
internal sealed class WebhookAttemptHandler(TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(WebhookAttempts.Key, out var attempts))
        {
            throw new InvalidOperationException("A webhook request carries its attempts record.");
        }

        attempts.Count++;
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Remove(WebhookSignature.TimestampHeader);
        request.Headers.Remove(WebhookSignature.SignatureHeader);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(attempts.Secret, timestamp, body));
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            attempts.LastStatus = (int)response.StatusCode;
            attempts.LastError = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            return response;
        }
        catch (HttpRequestException ex)
        {
            attempts.LastStatus = null;
            attempts.LastError = ex.InnerException is WebhookAddressRefusedException refused ? refused.Message : ex.Message;
            throw;
        }
    }
}

/// <summary>The two HTTP clients deliveries go through, and their wiring.</summary>
public static class WebhookHttp
{
    /// <summary>Public addresses only: every connection is checked at connect time.</summary>
    public const string CheckedClient = "platform-webhooks";

    /// <summary>For webhooks an admin allowed to reach private addresses (a separate pool, so no connection is shared).</summary>
    public const string PrivateClient = "platform-webhooks-private";

    /// <summary>Registers both clients: the standard resilience handler (retries with exponential back-off and jitter,
    /// attempt and total timeouts, a circuit breaker per receiving host), then the signing handler per attempt.</summary>
    public static void AddWebhookClients(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTransient<WebhookAttemptHandler>();
        foreach (var (name, checkedConnections) in new[] { (CheckedClient, true), (PrivateClient, false) })
        {
            services.AddHttpClient(name)
                .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
                {
                    AllowAutoRedirect = false, // a redirect could lead anywhere; it counts as the receiver's answer
                    ConnectCallback = checkedConnections ? CheckedConnect(sp.GetRequiredService<IWebhookHostResolver>()) : null,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                })
                .AddStandardResilienceHandler()
                .Configure((HttpStandardResilienceOptions options, IServiceProvider sp) =>
                {
                    var webhooks = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
                    options.Retry.MaxRetryAttempts = Math.Max(1, webhooks.MaxAttempts - 1);
                    options.Retry.Delay = webhooks.RetryDelay;
                    options.Retry.BackoffType = DelayBackoffType.Exponential;
                    options.Retry.UseJitter = true;

                    // Deliveries are POSTs; the standard handler retries every method by default, as receivers must
                    // accept repeats (the id header is the same on each). An address refusal is final, never retried.
                    options.Retry.ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception?.InnerException is not WebhookAddressRefusedException &&
                        HttpClientResiliencePredicates.IsTransient(args.Outcome));
                    options.AttemptTimeout.Timeout = webhooks.AttemptTimeout;
                    options.TotalRequestTimeout.Timeout = webhooks.TotalTimeout;
                    options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, webhooks.AttemptTimeout.Ticks * 2));
                })
                .SelectPipelineByAuthority();
            services.AddHttpClient(name).AddHttpMessageHandler<WebhookAttemptHandler>();
        }
    }

    // Connects only to an address that passed the check, resolved here, at connect time: the name cannot be re-pointed
    // at an internal address between the check and the connection.
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CheckedConnect(IWebhookHostResolver resolver) =>
        async (context, cancellationToken) =>
        {
            var addresses = await WebhookAddresses.CheckAsync(resolver, context.DnsEndPoint.Host, cancellationToken);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
