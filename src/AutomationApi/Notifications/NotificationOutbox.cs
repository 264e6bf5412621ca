using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Notifications;

/// <summary>
/// Stages notification events in the caller's unit of work (the outbox): an operation's outcome is saved together
/// with its event, and the <see cref="WebhookDispatcher"/> does the rest later, so an operation never waits for a
/// webhook. Staging is one row insert.
/// </summary>
public static class NotificationOutbox
{
    private static readonly JsonSerializerOptions Json = SpecJson.Options;

    /// <summary>Stages the event of a finished operation: succeeded, failed, cancelled, or interrupted (with the re-run recovery queued).</summary>
    /// <param name="db">The unit of work the outcome is saved in.</param>
    /// <param name="operation">The finished operation.</param>
    /// <param name="environment">Its environment.</param>
    /// <param name="now">When it finished.</param>
    public static void StageOutcome(PlatformDbContext db, StackOperation operation, EnvironmentRecord environment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(environment);
        var type = operation.State switch
        {
            OperationState.Succeeded => NotificationEvents.OperationSucceeded,
            OperationState.Failed => NotificationEvents.OperationFailed,
            OperationState.Cancelled => NotificationEvents.OperationCancelled,
            OperationState.Interrupted => NotificationEvents.OperationInterrupted,
            _ => null,
        };
        if (type is null)
        {
            return;
        }

        var id = NewId();
        var payload = Envelope(id, type, environment, now);
        payload["operation"] = new JsonObject
        {
            ["id"] = operation.Id,
            ["kind"] = JsonSerializer.SerializeToNode(operation.Kind, Json),
            ["state"] = JsonSerializer.SerializeToNode(operation.State, Json),
            ["origin"] = operation.Origin,
            ["error"] = operation.ErrorCode is { } code ? new JsonObject { ["code"] = code, ["message"] = operation.ErrorMessage } : null,
            ["url"] = $"/v1/operations/{operation.Id}",
        };
        if (operation.RetriedAs is { } rerun)
        {
            payload["operation"]!["retriedAs"] = rerun;
        }

        db.NotificationOutbox.Add(Record(id, type, environment, payload, now, dedupeKey: $"{operation.Id}:{type}"));
    }

    /// <summary>Stages an expiry warning for <paramref name="environment"/>, once per environment, warning and expiry.</summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="environment">The environment.</param>
    /// <param name="type"><see cref="NotificationEvents.Expiring24h"/> or <see cref="NotificationEvents.Expiring1h"/>.</param>
    /// <param name="now">Now.</param>
    /// <returns>Its de-duplication key.</returns>
    public static string StageExpiring(PlatformDbContext db, EnvironmentRecord environment, string type, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(environment);
        var expiresAt = environment.ExpiresAt ?? throw new ArgumentException("The environment does not expire.", nameof(environment));
        var id = NewId();
        var payload = Envelope(id, type, environment, now);
        payload["expiresAt"] = JsonSerializer.SerializeToNode(expiresAt, Json);
        payload["extend"] = $"/v1/environments/{environment.Name}/extend";
        var key = ExpiringKey(environment, type, expiresAt);
        db.NotificationOutbox.Add(Record(id, type, environment, payload, now, key));
        return key;
    }

    /// <summary>The de-duplication key of an expiry warning: a new expiry (an extension) warns again.</summary>
    public static string ExpiringKey(EnvironmentRecord environment, string type, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return $"{environment.Id}:{type}:{expiresAt.ToUnixTimeSeconds()}";
    }

    private static string NewId() => "evt_" + Guid.CreateVersion7().ToString("N");

    private static JsonObject Envelope(string id, string type, EnvironmentRecord environment, DateTimeOffset now) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["createdAt"] = JsonSerializer.SerializeToNode(now, Json),
        ["team"] = environment.Team,
        ["environment"] = environment.Name,
        ["tier"] = JsonSerializer.SerializeToNode(environment.Tier, Json),
    };

    private static NotificationRecord Record(string id, string type, EnvironmentRecord environment, JsonObject payload, DateTimeOffset now, string? dedupeKey) => new()
    {
        Id = id,
        Type = type,
        Team = environment.Team,
        Environment = environment.Name,
        PayloadJson = payload.ToJsonString(Json),
        DedupeKey = dedupeKey,
        CreatedAt = now,
    };
}
