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
    /// <param name="id">The operation.</param>
    /// <param name="lastEventId">The last event the client saw, to resume after it.</param>
    /// <param name="events">The operation's stored events, followed until it finishes.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<IResult> StreamEvents(
        string id, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, OperationEventStream events, CancellationToken cancellationToken)
    {
        var start = await events.StartAsync(id, lastEventId, cancellationToken);
        return start.Value is { } position
            ? new OperationEventsResult(events.FollowAsync(position, CancellationToken.None))
            : TypedResults.Problem(start.Problem!);
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

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(Refusals.OperationNotFound(id));
}
