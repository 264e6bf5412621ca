using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Notifications;

/// <summary>Wakes the dispatcher early (a webhook was registered, a test wants a pass).</summary>
public sealed class NotificationSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();

    /// <summary>Signals new work.</summary>
    public void Notify() => _signal.Release();

    /// <summary>Waits for a signal or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(timeout, cancellationToken);
        while (_signal.CurrentCount > 0 && _signal.Wait(0, CancellationToken.None))
        {
        }
    }
}

/// <summary>
/// Drains the notification outbox, apart from every operation: stages expiry warnings (24 h and 1 h before a TTL
/// destroy), fans each event out to a delivery per subscribed webhook of its team, and sends due deliveries through
/// the resilient HTTP client, recording each one's outcome (delivered, failed after N attempts, refused). Each step is
/// claimed in the database, so several replicas can run it side by side.
/// </summary>
public sealed partial class WebhookDispatcher(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IHttpClientFactory clients,
    IWebhookHostResolver resolver,
    SpecProtector protector,
    NotificationSignal signal,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan[] Warnings = [TimeSpan.FromHours(24), TimeSpan.FromHours(1)];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (Storage.PlatformDatabase.IsFault(ex))
            {
                LogPassFailed(logger, ex);
                await Task.Delay(options.Value.PollInterval, CancellationToken.None);
            }
        }
    }

    /// <summary>One pass: expiry warnings, fan-out, deliveries.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await StageExpiryWarningsAsync(cancellationToken);
        await FanOutAsync(cancellationToken);
        await DeliverDueAsync(cancellationToken);
    }

    /// <summary>
    /// Stages a warning for each live environment whose TTL destroy is due within 24 h and within 1 h, once per
    /// expiry (an extension warns again). An environment first seen with less than an hour left gets only the 1 h one.
    /// </summary>
    public async Task<int> StageExpiryWarningsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var horizon = now + Warnings[0];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expiring = await db.Environments.AsNoTracking()
            .Where(e => e.ExpiresAt != null && e.ExpiresAt > now && e.ExpiresAt <= horizon &&
                        e.Status != EnvironmentStatus.Destroyed && e.Status != EnvironmentStatus.Destroying)
            .ToListAsync(cancellationToken);
        var staged = 0;
        foreach (var environment in expiring)
        {
            var left = environment.ExpiresAt!.Value - now;
            var type = left <= Warnings[1] ? NotificationEvents.Expiring1h : NotificationEvents.Expiring24h;
            var key = NotificationOutbox.ExpiringKey(environment, type, environment.ExpiresAt.Value);
            if (await db.NotificationOutbox.AnyAsync(n => n.DedupeKey == key, cancellationToken))
            {
                continue;
            }

            NotificationOutbox.StageExpiring(db, environment, type, now);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                staged++;
            }
            catch (DbUpdateException)
            {
                // Another dispatcher staged it first (the key is unique).
                db.ChangeTracker.Clear();
            }
        }

        return staged;
    }

    /// <summary>Creates the deliveries of every event not yet dispatched: one per subscribed webhook of the event's team.</summary>
    public async Task<int> FanOutAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.NotificationOutbox.AsNoTracking().Where(n => !n.Dispatched).OrderBy(n => n.Sequence).Take(200).ToListAsync(cancellationToken);
        var created = 0;

        // Each claim is one transaction, run by the provider's execution strategy (which retries it whole after a
        // transient fault, and refuses a transaction it does not own).
        var strategy = db.Database.CreateExecutionStrategy();
        foreach (var notification in pending)
        {
            created += await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);

                // The claim: only the dispatcher that flips the flag creates the deliveries.
                var claimed = await db.NotificationOutbox.Where(n => n.Sequence == notification.Sequence && !n.Dispatched)
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.Dispatched, true), cancellationToken);
                if (claimed == 0)
                {
                    return 0;
                }

                var count = 0;
                var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.Team == notification.Team).ToListAsync(cancellationToken);
                foreach (var webhook in webhooks.Where(w => w.Subscribes(notification.Type)))
                {
                    db.WebhookDeliveries.Add(new DeliveryRecord
                    {
                        Id = "dlv_" + Guid.CreateVersion7().ToString("N"),
                        WebhookId = webhook.Id,
                        EventId = notification.Id,
                        Type = notification.Type,
                        State = DeliveryState.Pending,
                        CreatedAt = time.GetUtcNow(),
                    });
                    count++;
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return count;
            });
        }

        return created;
    }

    /// <summary>Sends every pending delivery (and takes over ones a stopped dispatcher left claimed), a few at a time.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stale = now - options.Value.TotalTimeout;
        List<string> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.State == DeliveryState.Pending || (d.State == DeliveryState.Sending && d.ClaimedAt < stale))
                .OrderBy(d => d.CreatedAt).Select(d => d.Id).Take(100).ToListAsync(cancellationToken);
        }

        var sent = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.MaxConcurrentDeliveries), CancellationToken = cancellationToken },
            async (id, token) =>
            {
                if (await DeliverAsync(id, stale, token))
                {
                    Interlocked.Increment(ref sent);
                }
            });
        return sent;
    }

    private async Task<bool> DeliverAsync(string deliveryId, DateTimeOffset stale, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var claimedAt = time.GetUtcNow();
        var claimed = await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && (d.State == DeliveryState.Pending || (d.State == DeliveryState.Sending && d.ClaimedAt < stale)))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, DeliveryState.Sending).SetProperty(d => d.ClaimedAt, claimedAt), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }

        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId, cancellationToken);
        var webhook = await db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == delivery.WebhookId, cancellationToken);
        var notification = await db.NotificationOutbox.AsNoTracking().SingleAsync(n => n.Id == delivery.EventId, cancellationToken);
        if (webhook is null)
        {
            Finish(delivery, DeliveryState.Failed, 0, null, "The webhook was deleted before the delivery was sent.");
        }
        else
        {
            var (state, attempts, status, error) = await SendAsync(webhook, delivery, notification, cancellationToken);
            Finish(delivery, state, attempts, status, error);
            LogDelivery(logger, delivery.Id, notification.Type, webhook.Id, state, attempts, status);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return true;
    }

    private void Finish(DeliveryRecord delivery, DeliveryState state, int attempts, int? status, string? error)
    {
        delivery.State = state;
        delivery.Attempts += attempts;
        delivery.ResponseStatus = status;
        delivery.Error = error;
        delivery.FinishedAt = time.GetUtcNow();
    }

    private async Task<(DeliveryState State, int Attempts, int? Status, string? Error)> SendAsync(
        WebhookRecord webhook, DeliveryRecord delivery, NotificationRecord notification, CancellationToken cancellationToken)
    {
        var allowPrivate = webhook.AllowPrivateNetwork || options.Value.AllowPrivateNetworks;
        var url = new Uri(webhook.Url);
        if (!allowPrivate)
        {
            // Checked again here (and once more as the connection opens): the name may resolve elsewhere by now.
            try
            {
                await WebhookAddresses.CheckAsync(resolver, url.IdnHost, cancellationToken);
            }
            catch (WebhookAddressRefusedException refused)
            {
                return (DeliveryState.Refused, 0, null, refused.Message);
            }
        }

        var attempts = new WebhookAttempts(protector.Unprotect(webhook.SecretProtected));
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(notification.PayloadJson)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.Id);
        request.Headers.Add(WebhookSignature.EventHeader, notification.Type);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Platform-Webhooks", "1"));
        request.Options.Set(WebhookAttempts.Key, attempts);
        var client = clients.CreateClient(allowPrivate ? WebhookHttp.PrivateClient : WebhookHttp.CheckedClient);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? (DeliveryState.Delivered, attempts.Count, (int)response.StatusCode, null)
                : (DeliveryState.Failed, attempts.Count, (int)response.StatusCode, $"Gave up after {attempts.Count} attempt(s): {attempts.LastError}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            return (DeliveryState.Refused, attempts.Count, null, refused.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (DeliveryState.Failed, attempts.Count, attempts.LastStatus, $"Gave up after {attempts.Count} attempt(s): {attempts.LastError ?? ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook dispatcher pass failed; trying again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} of {EventType} to {WebhookId}: {State} after {Attempts} attempt(s), status {Status}")]
    private static partial void LogDelivery(ILogger logger, string deliveryId, string eventType, string webhookId, DeliveryState state, int attempts, int? status);
}
