using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Notifications;

/// <summary>Body of <c>POST /v1/webhooks</c>.</summary>
/// <param name="Team">The team whose environments' events it receives.</param>
/// <param name="Url">Where events are posted: an absolute http or https URL that resolves to public addresses.</param>
/// <param name="Events">The events to receive (<see cref="NotificationEvents.All"/>); every one when absent.</param>
/// <param name="AllowPrivateNetwork">Admin only: let it reach loopback, link-local and private addresses.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record WebhookRequest(string? Team, string? Url, IReadOnlyList<string>? Events, bool AllowPrivateNetwork = false);

/// <summary>A registered webhook (its secret is never shown again after registration).</summary>
/// <param name="Id">Id.</param>
/// <param name="Team">Team.</param>
/// <param name="Url">URL.</param>
/// <param name="Events">Subscribed events.</param>
/// <param name="AllowPrivateNetwork">Whether an admin allowed private addresses.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="Secret">The signing secret: only in the registration's response.</param>
public sealed record WebhookResponse(string Id, string Team, Uri Url, IReadOnlyList<string> Events, bool AllowPrivateNetwork, DateTimeOffset CreatedAt, string? Secret = null)
{
    /// <summary>Maps a stored webhook, without its secret.</summary>
    public static WebhookResponse From(WebhookRecord webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return new(webhook.Id, webhook.Team, new Uri(webhook.Url), webhook.Events.Split(','), webhook.AllowPrivateNetwork, webhook.CreatedAt);
    }
}

/// <summary>One delivery and its outcome.</summary>
/// <param name="Id">Id (the <c>Platform-Webhook-Id</c> header).</param>
/// <param name="EventId">The event's id (the payload's <c>id</c>).</param>
/// <param name="Type">The event type.</param>
/// <param name="State">Pending, sending, delivered, failed or refused.</param>
/// <param name="Attempts">HTTP attempts made.</param>
/// <param name="ResponseStatus">The last response's status, if any.</param>
/// <param name="Error">Why it failed or was refused.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record DeliveryResponse(
    string Id, string EventId, string Type, DeliveryState State, int Attempts, int? ResponseStatus, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>Maps a stored delivery.</summary>
    public static DeliveryResponse From(DeliveryRecord d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Id, d.EventId, d.Type, d.State, d.Attempts, d.ResponseStatus, d.Error, d.CreatedAt, d.FinishedAt);
    }
}

/// <summary>Everything a webhooks handler needs.</summary>
public sealed record WebhookServices(
    PlatformDbContext Db,
    SpecProtector Protector,
    IWebhookHostResolver Resolver,
    NotificationSignal Signal,
    TimeProvider Time,
    IOptions<WebhookOptions> Options);

/// <summary><c>/v1/webhooks</c>: teams register where their environments' operation and expiry events are posted.</summary>
public static class WebhooksApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/v1/webhooks").WithTags("Webhooks");
        api.ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", Register).WithName("RegisterWebhook")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithSummary("Register a webhook for a team's operation events (succeeded, failed, cancelled, interrupted) and expiry warnings; the signing secret is in this response only.")
            .WithDescription("Events: operation.succeeded, operation.failed, operation.cancelled, operation.interrupted, environment.expiring-24h, environment.expiring-1h (all " +
                             "when absent). Deliveries are POSTs of the event's JSON signed with HMAC-SHA256 over '{timestamp}.{body}' (headers " +
                             "Platform-Webhook-Id, -Event, -Timestamp, -Signature: v1=<hex>), retried with back-off and recorded. A URL that resolves to " +
                             "a loopback, link-local or private address is refused (400 naming url) unless an admin sets allowPrivateNetwork.");
        api.MapGet("/", List).WithName("ListWebhooks").WithSummary("A team's webhooks.")
            .WithDescription("The webhooks, optionally of one team, without their secrets.");
        api.MapGet("/{id}", Get).WithName("GetWebhook").WithSummary("One webhook.")
            .WithDescription("The webhook without its secret (shown only when it was registered); 404 when there is none.");
        api.MapDelete("/{id}", Delete).WithName("DeleteWebhook").WithSummary("Remove a webhook; nothing more is sent to it.")
            .WithDescription("204 when it was removed; pending deliveries to it are recorded as failed. 404 when there is none.");
        api.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("A webhook's latest deliveries with their outcome: delivered, failed after N attempts, or refused.")
            .WithDescription("Newest first (limit, default 50, at most 200): state (pending, sending, delivered, failed, refused), attempts, the last " +
                             "response status and why it failed or was refused.");
        return app;
    }

    /// <summary>Register a webhook for a team's operation events (succeeded, failed, cancelled) and expiry warnings; the signing secret is in this response only.</summary>
    public static async Task<Results<Created<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Register(
        WebhookRequest body, ClaimsPrincipal user, WebhookRegistrations registrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var registered = await registrations.RegisterAsync(body, user, cancellationToken);
        return registered switch
        {
            { Value: { } webhook } => TypedResults.Created($"/v1/webhooks/{webhook.Id}", webhook),
            { Problem: HttpValidationProblemDetails invalid } => LifecycleResults.Validation(invalid),
            _ => TypedResults.Problem(registered.Problem!),
        };
    }

    /// <summary>A team's webhooks.</summary>
    public static async Task<Ok<IReadOnlyList<WebhookResponse>>> List(
        string? team, ClaimsPrincipal user, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(services);
        var query = services.Db.Webhooks.AsNoTracking();
        if (!user.IsAdmin())
        {
            var own = user.TeamOf() ?? "";
            query = query.Where(w => w.Team == own);
        }

        if (team is not null)
        {
            query = query.Where(w => w.Team == team);
        }

        var webhooks = await query.OrderBy(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<WebhookResponse>>([.. webhooks.Select(WebhookResponse.From)]);
    }

    /// <summary>One webhook.</summary>
    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Get(
        string id, ClaimsPrincipal user, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var webhook = await services.Db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, cancellationToken);
        return webhook is null || !Sees(user, webhook.Team) ? NotFound(id) : TypedResults.Ok(WebhookResponse.From(webhook));
    }

    /// <summary>Remove a webhook; nothing more is sent to it.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string id, ClaimsPrincipal user, WebhookRegistrations registrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        return await registrations.DeleteAsync(id, user, cancellationToken) is { } refused ? TypedResults.Problem(refused) : TypedResults.NoContent();
    }

    /// <summary>A webhook's latest deliveries with their outcome: delivered, failed after N attempts, or refused.</summary>
    public static async Task<Results<Ok<IReadOnlyList<DeliveryResponse>>, ProblemHttpResult, ValidationProblem>> Deliveries(
        string id, int? limit, ClaimsPrincipal user, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(services);
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The page size must be between 1 and 200."] });
        }

        var team = await services.Db.Webhooks.Where(w => w.Id == id).Select(w => w.Team).SingleOrDefaultAsync(cancellationToken);
        if (team is null || !Sees(user, team))
        {
            return NotFound(id);
        }

        var deliveries = await services.Db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit ?? 50).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DeliveryResponse>>([.. deliveries.Select(DeliveryResponse.From)]);
    }

    private static bool Sees(ClaimsPrincipal user, string team) => WebhookRegistrations.Sees(user, team);

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(WebhookRegistrations.NotFound(id));
}
