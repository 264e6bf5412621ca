using Microsoft.EntityFrameworkCore;

namespace Platform.AutomationApi.Notifications;

/// <summary>The notification tables' mapping (webhooks, the outbox, deliveries), kept with the notifications.</summary>
public static class NotificationModel
{
    /// <summary>Maps the entities on <paramref name="modelBuilder"/>.</summary>
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<WebhookRecord>(e =>
        {
            e.ToTable("Webhooks");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Team);
        });

        modelBuilder.Entity<NotificationRecord>(e =>
        {
            e.ToTable("Notifications");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();

            // An expiry warning is staged once per environment and expiry, however many dispatchers sweep.
            e.HasIndex(x => x.DedupeKey).IsUnique();
            e.HasIndex(x => new { x.Dispatched, x.Sequence });
        });

        modelBuilder.Entity<DeliveryRecord>(e =>
        {
            e.ToTable("WebhookDeliveries");
            e.HasKey(x => x.Id);
            e.Property(x => x.State).HasConversion<string>();

            // One delivery per event and webhook, even when two dispatchers fan the same event out.
            e.HasIndex(x => new { x.WebhookId, x.EventId }).IsUnique();
            e.HasIndex(x => new { x.State, x.CreatedAt });
        });
    }
}
