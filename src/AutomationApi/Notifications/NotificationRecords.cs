namespace Platform.AutomationApi.Notifications;

/// <summary>The events a webhook can subscribe to.</summary>
public static class NotificationEvents
{
    /// <summary>An operation succeeded.</summary>
    public const string OperationSucceeded = "operation.succeeded";

    /// <summary>An operation failed.</summary>
    public const string OperationFailed = "operation.failed";

    /// <summary>An operation was cancelled.</summary>
    public const string OperationCancelled = "operation.cancelled";

    /// <summary>
    /// An operation was interrupted: the replica running it stopped or lost its lease, and recovery queued a refresh
    /// and a re-run (named in the payload's <c>operation.retriedAs</c>), whose outcome is an event of its own.
    /// </summary>
    public const string OperationInterrupted = "operation.interrupted";

    /// <summary>An environment's TTL destroy is due within 24 hours.</summary>
    public const string Expiring24h = "environment.expiring-24h";

    /// <summary>An environment's TTL destroy is due within 1 hour.</summary>
    public const string Expiring1h = "environment.expiring-1h";

    /// <summary>Every event, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } = [OperationSucceeded, OperationFailed, OperationCancelled, OperationInterrupted, Expiring24h, Expiring1h];
}

/// <summary>A team's webhook: where its events are posted, signed with its secret.</summary>
public sealed class WebhookRecord
{
    /// <summary>Id (<c>wh_…</c>).</summary>
    public required string Id { get; set; }

    /// <summary>The team whose environments' events it receives.</summary>
    public required string Team { get; set; }

    /// <summary>Where deliveries are posted (http or https).</summary>
    public required string Url { get; set; }

    /// <summary>Subscribed events, comma-separated (<see cref="NotificationEvents"/>).</summary>
    public required string Events { get; set; }

    /// <summary>The signing secret, encrypted at rest (it is shown once, at registration).</summary>
    public required string SecretProtected { get; set; }

    /// <summary>An admin allowed it to reach loopback, link-local and private addresses.</summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether it subscribes to <paramref name="type"/>.</summary>
    public bool Subscribes(string type) => Events.Split(',').Contains(type, StringComparer.Ordinal);
}

/// <summary>
/// An event waiting in the outbox: staged in the same transaction as what caused it (an operation's outcome) or by the
/// expiry sweep, then fanned out to deliveries by the <see cref="WebhookDispatcher"/>, so nothing about webhooks ever
/// runs inside an operation.
/// </summary>
public sealed class NotificationRecord
{
    /// <summary>Insertion order.</summary>
    public long Sequence { get; set; }

    /// <summary>Id (<c>evt_…</c>), also the payload's <c>id</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The event (<see cref="NotificationEvents"/>).</summary>
    public required string Type { get; set; }

    /// <summary>The environment's team: only its webhooks receive it.</summary>
    public required string Team { get; set; }

    /// <summary>The environment.</summary>
    public required string Environment { get; set; }

    /// <summary>The payload (JSON), exactly the body every delivery posts.</summary>
    public required string PayloadJson { get; set; }

    /// <summary>
    /// Makes an event happen once however often or wherever it is staged (e.g. <c>{environment id}:expiring-24h:{expiry}</c>);
    /// <see langword="null"/> when it cannot repeat.
    /// </summary>
    public string? DedupeKey { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether its deliveries were created.</summary>
    public bool Dispatched { get; set; }
}

/// <summary>Where a delivery stands.</summary>
public enum DeliveryState
{
    /// <summary>Waiting to be sent.</summary>
    Pending,

    /// <summary>Being sent (retries included) by a dispatcher.</summary>
    Sending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt failed; given up.</summary>
    Failed,

    /// <summary>Not sent: the URL resolved to an address webhooks may not reach.</summary>
    Refused,
}

/// <summary>One event posted to one webhook, with its outcome.</summary>
public sealed class DeliveryRecord
{
    /// <summary>Id (<c>dlv_…</c>), sent as <c>Platform-Webhook-Id</c> (the same on every attempt, for receivers to de-duplicate).</summary>
    public required string Id { get; set; }

    /// <summary>The webhook.</summary>
    public required string WebhookId { get; set; }

    /// <summary>The event.</summary>
    public required string EventId { get; set; }

    /// <summary>The event type.</summary>
    public required string Type { get; set; }

    /// <summary>Where it stands.</summary>
    public DeliveryState State { get; set; }

    /// <summary>HTTP attempts made (the resilience handler's retries included).</summary>
    public int Attempts { get; set; }

    /// <summary>The last response's status code, if any.</summary>
    public int? ResponseStatus { get; set; }

    /// <summary>Why it failed or was refused.</summary>
    public string? Error { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a dispatcher claimed it (a claim older than the stale-claim period is taken over).</summary>
    public DateTimeOffset? ClaimedAt { get; set; }

    /// <summary>When it was delivered, failed or refused.</summary>
    public DateTimeOffset? FinishedAt { get; set; }
}
