using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Lifecycle;

namespace Platform.AutomationApi.Apis;

/// <summary>Body of <c>POST /v1/environments/{name}/services/{service}/deploy</c>.</summary>
/// <param name="Image">The image to run: pinned by a version tag (not <c>latest</c>) or a digest.</param>
/// <param name="Env">Variable changes: a string sets a plain value, <c>{"secret": "…"}</c> a secret one, <c>null</c> removes it.</param>
/// <param name="Preview">Only preview the change (engine preview and plan diff) instead of deploying it.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record DeployRequest(string? Image, JsonObject? Env = null, bool Preview = false);

/// <summary>Body of <c>POST /v1/environments/{name}/promote</c>.</summary>
/// <param name="From">The environment whose running images are copied, e.g. <c>checkout-staging</c>.</param>
/// <param name="Services">The services to promote; all services both environments declare when absent or empty.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record PromoteRequest(string? From, IReadOnlyList<string>? Services = null);

/// <summary>Body of <c>POST /v1/environments/{name}/rollback</c>.</summary>
/// <param name="OperationId">The earlier successful create or update whose spec is re-applied; the one before the current deployment when absent.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record RollbackRequest(string? OperationId = null);

/// <summary>A queued deployment: the operation to follow, what its plan changes, and the images it deploys.</summary>
/// <param name="Operation">The queued operation (also in the <c>Location</c> header).</param>
/// <param name="PlanDiff">How the new plan differs from the environment's current one, resource by resource.</param>
/// <param name="Images">The image each affected service will run.</param>
public sealed record DeploymentResponse(OperationResponse Operation, PlanDiff PlanDiff, IReadOnlyDictionary<string, string> Images);

/// <summary>
/// The developer workflow on top of environments: deploy one service's image, promote images from one environment to
/// another, roll back to an earlier deployment. Each is an ordinary update operation of the whole environment spec,
/// changed only where asked, so the queue, locks, retries and history treat it like any other update.
/// </summary>
public static class DeploymentsApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/environments/{name}").WithTags("Deployments");
        api.RequireEnvironmentAccess();
        api.AddEndpointFilterFactory(IdempotencyFilter.Factory);
        api.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapPost("/services/{service}/deploy", DeployService).WithName("DeployService")
            .WithSummary("Deploy a new image (and env changes) of one service; returns the queued update and its plan diff.");
        api.MapPost("/promote", Promote).WithName("PromoteEnvironment")
            .WithSummary("Copy the images running in another environment (e.g. staging) to this one as one update.");
        api.MapPost("/rollback", Rollback).WithName("RollbackEnvironment")
            .WithSummary("Re-apply the spec of an earlier successful deployment of this environment.");
        return app;
    }

    /// <summary>POST /v1/environments/{name}/services/{service}/deploy.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> DeployService(
        string name, string service, DeployRequest body, DeploymentCommands commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Queued(await commands.DeployAsync(name, service, body.Image, body.Env, body.Preview, cancellationToken));
    }

    /// <summary>POST /v1/environments/{name}/promote.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> Promote(
        string name, PromoteRequest body, HttpContext context, DeploymentCommands commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);
        var caller = new Caller(context.User, context.TraceIdentifier);
        return Queued(await commands.PromoteAsync(name, body.From, body.Services, caller, cancellationToken));
    }

    /// <summary>POST /v1/environments/{name}/rollback.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> Rollback(
        string name, RollbackRequest? body, DeploymentCommands commands, CancellationToken cancellationToken) =>
        Queued(await commands.RollbackAsync(name, body?.OperationId, cancellationToken));

    /// <summary><c>202</c> with the operation, its plan diff and images; else the refusal.</summary>
    private static Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult> Queued(LifecycleResult<DeploymentQueued> result) =>
        result switch
        {
            { Value: { } queued } => TypedResults.Accepted($"/v1/operations/{queued.Operation.Id}",
                new DeploymentResponse(OperationResponse.From(queued.Operation), queued.PlanDiff, queued.Images)),
            { Problem: HttpValidationProblemDetails invalid } => LifecycleResults.Validation(invalid),
            _ => TypedResults.Problem(result.Problem!),
        };
}
