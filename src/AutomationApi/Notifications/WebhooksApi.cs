using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Notifications;

/// <summary>Body of <c>POST /v1/webhooks</c>.</summary>
/// <param name="Team">The team whose environments' events it receives.</param>
/// <param name="Url">Where events are posted: an absolute http or https URL that resolves to public addresses.</param>
/// <param name="Events">The events to receive (<see cref="NotificationEvents.All"/>); every one when absent.</param>
/// <param name="AllowPrivateNetwork">Admin only: let it reach loopback, link-local and private addresses.</param>
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
        api.ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", Register).WithName("RegisterWebhook")
            .WithSummary("Register a webhook for a team's operation events (succeeded, failed, cancelled) and expiry warnings; the signing secret is in this response only.");
        api.MapGet("/", List).WithName("ListWebhooks").WithSummary("A team's webhooks.");
        api.MapGet("/{id}", Get).WithName("GetWebhook").WithSummary("One webhook.");
        api.MapDelete("/{id}", Delete).WithName("DeleteWebhook").WithSummary("Remove a webhook; nothing more is sent to it.");
        api.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("A webhook's latest deliveries with their outcome: delivered, failed after N attempts, or refused.");
        return app;
    }

    /// <summary>POST /v1/webhooks.</summary>
    public static async Task<Results<Created<WebhookResponse>, ValidationProblem>> Register(
        WebhookRequest body, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(services);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Team))
        {
            errors["team"] = ["Name the team whose environments' events the webhook receives."];
        }

        var events = body.Events is null or { Count: 0 } ? NotificationEvents.All : body.Events;
        if (events.FirstOrDefault(e => !NotificationEvents.All.Contains(e, StringComparer.Ordinal)) is { } unknown)
        {
            errors["events"] = [$"Unknown event '{unknown}'. Use any of: {string.Join(", ", NotificationEvents.All)}."];
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            errors["url"] = ["Give an absolute http or https URL without credentials or fragment, e.g. https://hooks.example.com/platform."];
        }
        else if (!body.AllowPrivateNetwork && !services.Options.Value.AllowPrivateNetworks)
        {
            try
            {
                await WebhookAddresses.CheckAsync(services.Resolver, url.IdnHost, cancellationToken);
            }
            catch (WebhookAddressRefusedException refused)
            {
                errors["url"] = [refused.Message];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook is invalid");
        }

        var secret = WebhookSignature.NewSecret();
        var webhook = new WebhookRecord
        {
            Id = "wh_" + Guid.CreateVersion7().ToString("N"),
            Team = body.Team!,
            Url = url!.AbsoluteUri,
            Events = string.Join(',', events.Distinct(StringComparer.Ordinal)),
            SecretProtected = services.Protector.Protect(secret),
            AllowPrivateNetwork = body.AllowPrivateNetwork,
            CreatedAt = services.Time.GetUtcNow(),
        };
        services.Db.Webhooks.Add(webhook);
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/webhooks/{webhook.Id}", WebhookResponse.From(webhook) with { Secret = secret });
    }

    /// <summary>GET /v1/webhooks?team=.</summary>
    public static async Task<Ok<IReadOnlyList<WebhookResponse>>> List(string? team, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var query = services.Db.Webhooks.AsNoTracking();
        if (team is not null)
        {
            query = query.Where(w => w.Team == team);
        }

        var webhooks = await query.OrderBy(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<WebhookResponse>>([.. webhooks.Select(WebhookResponse.From)]);
    }

    /// <summary>GET /v1/webhooks/{id}.</summary>
    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Get(string id, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var webhook = await services.Db.Webhooks.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, cancellationToken);
        return webhook is null ? NotFound(id) : TypedResults.Ok(WebhookResponse.From(webhook));
    }

    /// <summary>DELETE /v1/webhooks/{id}.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var deleted = await services.Db.Webhooks.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? NotFound(id) : TypedResults.NoContent();
    }

    /// <summary>GET /v1/webhooks/{id}/deliveries?limit=.</summary>
    public static async Task<Results<Ok<IReadOnlyList<DeliveryResponse>>, ProblemHttpResult, ValidationProblem>> Deliveries(
        string id, int? limit, [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The page size must be between 1 and 200."] });
        }

        if (!await services.Db.Webhooks.AnyAsync(w => w.Id == id, cancellationToken))
        {
            return NotFound(id);
        }

        var deliveries = await services.Db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit ?? 50).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DeliveryResponse>>([.. deliveries.Select(DeliveryResponse.From)]);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found", detail: $"There is no webhook '{id}'.");
}
