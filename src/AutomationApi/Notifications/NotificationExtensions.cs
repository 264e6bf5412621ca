using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.AutomationApi.Notifications;

/// <summary>The notifications' wiring: options, resolver, HTTP clients and the dispatcher.</summary>
public static class NotificationExtensions
{
    /// <summary>Webhooks (section <c>Platform:Webhooks</c>) and the dispatcher that drains the outbox.</summary>
    public static IHostApplicationBuilder AddPlatformNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.SectionName))
            .Validate(o => o.MaxAttempts is >= 1 and <= 20, "Platform:Webhooks:MaxAttempts must be between 1 and 20 (the default is 5).")
            .Validate(o => o.RetryDelay > TimeSpan.Zero && o.AttemptTimeout > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero,
                "Platform:Webhooks:RetryDelay, AttemptTimeout and PollInterval must be positive (defaults 2 s, 10 s, 2 s).")
            .Validate(o => o.RetryDelay <= TimeSpan.FromDays(1) && o.AttemptTimeout < TimeSpan.FromHours(12),
                "Platform:Webhooks:RetryDelay must be at most a day and AttemptTimeout under 12 hours (defaults 2 s, 10 s).")
            .Validate(o => o.MaxConcurrentDeliveries > 0, "Platform:Webhooks:MaxConcurrentDeliveries must be positive (the default is 4).")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        builder.Services.AddSingleton<NotificationSignal>();
        builder.Services.AddScoped<WebhookRegistrations>();
        builder.Services.AddWebhookClients();
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }
}
