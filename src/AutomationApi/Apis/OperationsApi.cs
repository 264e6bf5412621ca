using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Apis;

/// <summary>Everything an operations handler needs.</summary>
public sealed record OperationServices(PlatformDbContext Db);

/// <summary><c>/v1/operations</c>: status, live progress (Server-Sent Events) and cancellation of operations.</summary>
public static class OperationsApi
{
    private static readonly JsonSerializerOptions Json = SpecView.CreateOptions();

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/operations").WithTags("Operations").RequireOperationAccess();
        api.ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{id}", GetOperation).WithName("GetOperation")
            .WithSummary("Get an operation: state, attempts, error and result.");
        api.MapGet("/{id}/events", StreamEvents).WithName("StreamOperationEvents")
            .WithSummary("Stream an operation's progress as Server-Sent Events; resume with Last-Event-ID. Ends when the operation finishes.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        api.MapPost("/{id}/cancel", CancelOperation).WithName("CancelOperation")
            .WithSummary("Cancel an operation: a queued one never runs; a running one's engine is interrupted and finishes its in-flight resource operations (killed only with force=true or past the grace period).");
        return app;
    }

    /// <summary>GET /v1/operations/{id}.</summary>
    public static async Task<Results<Ok<OperationResponse>, ProblemHttpResult>> GetOperation(
        string id, [AsParameters] OperationServices services, CancellationToken cancellationToken)
    {
        var operation = await services.Db.Operations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return operation is null ? NotFound(id) : TypedResults.Ok(OperationResponse.From(operation));
    }

    /// <summary>GET /v1/operations/{id}/events.</summary>
    public static async Task<IResult> StreamEvents(
        string id,
        HttpContext context,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        [AsParameters] OperationServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await services.Db.Operations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return NotFound(id);
        }

        var after = 0;
        if (lastEventId is not null && !int.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Last-Event-ID",
                detail: "Last-Event-ID must be the id of an event this stream sent.");
        }

        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken);
        var wakeups = context.RequestServices.GetRequiredService<OperationWakeups>();
        var fallbackPoll = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<PlatformOptions>>().Value.EventPollInterval;
        try
        {
            while (true)
            {
                // Watching before reading: an event stored after the read still wakes this stream (from any replica).
                using var watch = wakeups.Watch(id);
                var finished = await services.Db.Operations.AsNoTracking().Where(o => o.Id == id)
                    .Select(o => o.State == OperationState.Succeeded || o.State == OperationState.Failed ||
                                 o.State == OperationState.Cancelled || o.State == OperationState.Interrupted)
                    .SingleAsync(cancellationToken);
                var batch = await services.Db.Events.AsNoTracking()
                    .Where(e => e.OperationId == id && e.Sequence > after)
                    .OrderBy(e => e.Sequence)
                    .Take(500)
                    .ToListAsync(cancellationToken);
                foreach (var item in batch)
                {
                    var data = JsonSerializer.Serialize(new { item.Sequence, item.Timestamp, item.Type, item.Detail, item.Urn, item.Message }, Json);
                    await response.WriteAsync($"id: {item.Sequence}\nevent: {item.Type}\ndata: {data}\n\n", cancellationToken);
                    after = item.Sequence;
                }

                await response.Body.FlushAsync(cancellationToken);

                // The final state event is written after the state itself, so read once more after seeing "finished".
                if (finished && batch.Count == 0)
                {
                    return TypedResults.Empty;
                }

                if (batch.Count == 0)
                {
                    await watch.WaitAsync(fallbackPoll, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
            return TypedResults.Empty;
        }
    }

    /// <summary>POST /v1/operations/{id}/cancel.</summary>
    /// <param name="id">The operation.</param>
    /// <param name="force">Kill the engine at once instead of letting it finish its in-flight resource operations. Resources
    /// being created may then exist without being in the stack: the operation lists the pending operations and the
    /// environment needs a repair refresh.</param>
    /// <param name="commands">The lifecycle's operation requests.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Accepted<OperationResponse>, ProblemHttpResult>> CancelOperation(
        string id, [FromQuery] bool? force, OperationCommands commands, CancellationToken cancellationToken)
    {
        var cancel = await commands.CancelAsync(id, force == true, cancellationToken);
        return cancel.Value is { } operation
            ? TypedResults.Accepted($"/v1/operations/{id}", OperationResponse.From(operation))
            : TypedResults.Problem(cancel.Problem!);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Operation not found", detail: $"There is no operation '{id}'.");
}
