namespace Platform.AutomationApi.Notifications;

/// <summary>Webhook delivery settings (section <c>Platform:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Platform:Webhooks";

    /// <summary>
    /// Lets every webhook reach loopback, link-local and private addresses (an admin's choice for a platform whose
    /// receivers are internal). The default value is <see langword="false"/>: only an admin's per-webhook
    /// <c>allowPrivateNetwork</c> lets one through.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>HTTP attempts per delivery, the first included. The default value is 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry's delay, doubling after each (with jitter). The default value is 2 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one attempt may take. The default value is 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the dispatcher looks for new events and due expiry warnings. The default value is 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deliveries sent at once. The default value is 4.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>
    /// The longest a delivery can take, every retry included (at most a day, the resilience handler's limit): past it,
    /// another dispatcher may take a claimed delivery over.
    /// </summary>
    public TimeSpan TotalTimeout
    {
        get
        {
            var needed = (AttemptTimeout.TotalSeconds * MaxAttempts) + (RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(MaxAttempts, 16)) * 1.5) + 30;
            return TimeSpan.FromSeconds(Math.Min(needed, TimeSpan.FromDays(1).TotalSeconds));
        }
    }
}
