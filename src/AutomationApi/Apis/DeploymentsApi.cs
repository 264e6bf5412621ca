using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Deployments;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Apis;

/// <summary>Everything a deployments handler needs.</summary>
public sealed record DeploymentServices(
    PlatformDbContext Db,
    EnvironmentCompiler Compiler,
    OperationQueue Queue,
    Lifecycle.EnvironmentLifecycle Lifecycle,
    SpecProtector Protector,
    TimeProvider Time,
    Quotas.TeamQuotas Quotas);

/// <summary>Body of <c>POST /v1/environments/{name}/services/{service}/deploy</c>.</summary>
/// <param name="Image">The image to run: pinned by a version tag (not <c>latest</c>) or a digest.</param>
/// <param name="Env">Variable changes: a string sets a plain value, <c>{"secret": "…"}</c> a secret one, <c>null</c> removes it.</param>
/// <param name="Preview">Only preview the change (engine preview and plan diff) instead of deploying it.</param>
public sealed record DeployRequest(string? Image, JsonObject? Env = null, bool Preview = false);

/// <summary>Body of <c>POST /v1/environments/{name}/promote</c>.</summary>
/// <param name="From">The environment whose running images are copied, e.g. <c>checkout-staging</c>.</param>
/// <param name="Services">The services to promote; all services both environments declare when absent or empty.</param>
public sealed record PromoteRequest(string? From, IReadOnlyList<string>? Services = null);

/// <summary>Body of <c>POST /v1/environments/{name}/rollback</c>.</summary>
/// <param name="OperationId">The earlier successful create or update whose spec is re-applied; the one before the current deployment when absent.</param>
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
        string name, string service, DeployRequest body, [AsParameters] DeploymentServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body.Image))
        {
            return Field("image", "Name the image to deploy, pinned by a version tag or digest, e.g. registry.example.com/team/api:1.4.3.");
        }

        var (record, problem) = await FindDeployableAsync(services.Db, name, cancellationToken);
        if (record is null)
        {
            return problem!;
        }

        var current = services.Protector.Unprotect(await HeadingToAsync(services.Db, record, cancellationToken));
        var index = SpecEdits.IndexOf(current, service);
        if (index < 0)
        {
            var declared = SpecEdits.Images(current).Keys;
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Service not found",
                detail: $"Environment '{name}' has no service '{service}'. Its services: {string.Join(", ", declared)}. Add a service with PUT /v1/environments/{name}.");
        }

        var edited = SpecEdits.Deploy(current, service, body.Image.Trim(), body.Env)!;
        var compiled = services.Compiler.Compile(edited);
        if (compiled.Environment is not { } environment)
        {
            // Paths inside the deployed service are the request's own fields (image, env.X).
            var prefix = $"spec.services[{index}].";
            return Invalid(compiled.Errors.Select(e => e.Path.StartsWith(prefix, StringComparison.Ordinal) ? e with { Path = e.Path[prefix.Length..] } : e));
        }

        var kind = body.Preview ? OperationKind.Preview : OperationKind.Update;
        var images = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add(service, body.Image.Trim());
        return await QueueAsync(services, record, kind, services.Protector.Protect(edited), "deploy", current, environment, images,
            $"Deploy of {service} ({body.Image.Trim()}) to {name}.", cancellationToken);
    }

    /// <summary>POST /v1/environments/{name}/promote.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> Promote(
        string name, PromoteRequest body, HttpContext context, [AsParameters] DeploymentServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(body.From))
        {
            return Field("from", "Name the environment to promote from, e.g. {\"from\": \"checkout-staging\"}.");
        }

        if (body.From == name)
        {
            return Field("from", $"An environment cannot be promoted from itself; name another environment than '{name}'.");
        }

        var (record, problem) = await FindDeployableAsync(services.Db, name, cancellationToken);
        if (record is null)
        {
            return problem!;
        }

        var source = await services.Db.Environments.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Name == body.From && e.Status != EnvironmentStatus.Destroyed, cancellationToken);
        if (source is null || !await EnvironmentAccess.CanReadAsync(context, new EnvironmentScope(source.Team, source.Tier)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Source environment not found",
                detail: $"There is no live environment named '{body.From}' to promote from.");
        }

        if (source.Status == EnvironmentStatus.Creating)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing deployed to promote",
                detail: $"Environment '{body.From}' has not finished its first deployment; promote once it is ready.");
        }

        // What runs in the source is its last successfully deployed spec; the target changes on top of what it is
        // heading to (its own queued updates included).
        var running = SpecEdits.Images(services.Protector.Unprotect(source.SpecText));
        var current = services.Protector.Unprotect(await HeadingToAsync(services.Db, record, cancellationToken));
        var declared = SpecEdits.Images(current);
        var wanted = body.Services is { Count: > 0 } named ? named : [.. running.Keys.Where(declared.ContainsKey)];
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < wanted.Count; i++)
        {
            if (!running.ContainsKey(wanted[i]))
            {
                errors[$"services[{i}]"] = [$"'{body.From}' runs no service '{wanted[i]}'. It runs: {string.Join(", ", running.Keys)}."];
            }
            else if (!declared.ContainsKey(wanted[i]))
            {
                errors[$"services[{i}]"] = [$"'{name}' declares no service '{wanted[i]}'. Add it with PUT /v1/environments/{name} first."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Cannot promote these services");
        }

        if (wanted.Count == 0)
        {
            return Field("services", $"'{body.From}' and '{name}' have no service in common; name the services to promote.");
        }

        var images = wanted.Distinct(StringComparer.Ordinal).ToImmutableSortedDictionary(s => s, s => running[s], StringComparer.Ordinal);
        var edited = SpecEdits.WithImages(current, images);
        var compiled = services.Compiler.Compile(edited);
        if (compiled.Environment is not { } environment)
        {
            return Invalid(compiled.Errors);
        }

        return await QueueAsync(services, record, OperationKind.Update, services.Protector.Protect(edited), $"promote:{source.Name}", current, environment, images,
            $"Promotion from {source.Name} to {name}: {string.Join(", ", images.Select(i => $"{i.Key}={i.Value}"))}.", cancellationToken);
    }

    /// <summary>POST /v1/environments/{name}/rollback.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> Rollback(
        string name, RollbackRequest? body, [AsParameters] DeploymentServices services, CancellationToken cancellationToken)
    {
        var (record, problem) = await FindDeployableAsync(services.Db, name, cancellationToken);
        if (record is null)
        {
            return problem!;
        }

        var deployments = services.Db.Operations.AsNoTracking().Where(o =>
            o.EnvironmentId == record.Id && (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update) &&
            o.State == OperationState.Succeeded && o.SpecText != null);
        StackOperation? chosen;
        if (body?.OperationId is { Length: > 0 } id)
        {
            chosen = await deployments.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (chosen is null)
            {
                return Field("operationId", $"'{id}' is not a successful create or update of environment '{name}'. Pick one from its operations.");
            }
        }
        else
        {
            // The deployment before the current one.
            chosen = (await deployments.OrderByDescending(o => o.Sequence).Take(2).ToListAsync(cancellationToken)).Skip(1).FirstOrDefault();
            if (chosen is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to roll back to",
                    detail: $"Environment '{name}' has no successful deployment before its current one; name one with {{\"operationId\": \"…\"}}.");
            }
        }

        var spec = services.Protector.Unprotect(chosen.SpecText!);
        var compiled = services.Compiler.Compile(spec);
        if (compiled.Environment is not { } environment)
        {
            // Guardrails or targets changed since: the old spec cannot be deployed as it was.
            return Invalid(compiled.Errors);
        }

        var current = services.Protector.Unprotect(await HeadingToAsync(services.Db, record, cancellationToken));
        var images = SpecEdits.Images(spec).ToImmutableSortedDictionary(StringComparer.Ordinal);
        return await QueueAsync(services, record, OperationKind.Update, chosen.SpecText!, $"rollback:{chosen.Id}", current, environment, images,
            $"Rollback of {name} to the spec of {chosen.Id}.", cancellationToken);
    }

    private static async Task<(EnvironmentRecord? Record, ProblemHttpResult? Problem)> FindDeployableAsync(PlatformDbContext db, string name, CancellationToken cancellationToken)
    {
        var record = await db.Environments.SingleOrDefaultAsync(e => e.Name == name && e.Status != EnvironmentStatus.Destroyed, cancellationToken);
        if (record is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Environment not found",
                detail: $"There is no live environment named '{name}'."));
        }

        record.EnsureDeployable();
        return (record, null);
    }

    /// <summary>
    /// The spec an environment is heading to: that of its latest queued or running create or update, else the spec
    /// it was last deployed with. A change builds on it, so it never undoes an update still waiting in the queue.
    /// </summary>
    private static async Task<string> HeadingToAsync(PlatformDbContext db, EnvironmentRecord record, CancellationToken cancellationToken) =>
        await db.Operations.AsNoTracking()
            .Where(o => o.EnvironmentId == record.Id && (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update) &&
                        (o.State == OperationState.Queued || o.State == OperationState.Running) && o.SpecText != null)
            .OrderByDescending(o => o.Sequence)
            .Select(o => o.SpecText)
            .FirstOrDefaultAsync(cancellationToken) ?? record.SpecText;

    private static async Task<Results<Accepted<DeploymentResponse>, ValidationProblem, ProblemHttpResult>> QueueAsync(
        DeploymentServices services, EnvironmentRecord record, OperationKind kind, string protectedSpec, string origin,
        string currentSpec, CompiledEnvironment next, IReadOnlyDictionary<string, string> images, string message, CancellationToken cancellationToken)
    {
        var before = services.Compiler.Compile(currentSpec).Environment?.Plan;
        var diff = PlanDiff.Between(before, next.Plan);
        var now = services.Time.GetUtcNow();
        var operation = kind == OperationKind.Update
            ? services.Lifecycle.QueueUpdate(services.Queue, record, protectedSpec, origin)
            : services.Queue.Add(record, kind, protectedSpec, origin);
        services.Db.Events.Add(new OperationEvent { OperationId = operation.Id, Sequence = 2, Timestamp = now, Type = "request", Message = message, Detail = origin });

        try
        {
            // An update (a deploy, promotion or rollback) is saved only within its team's quota (else a 422 problem).
            await (kind == OperationKind.Update
                ? services.Quotas.SaveAsync(services.Db, record, next.Spec, cancellationToken, next.Cost.MonthlyTotal)
                : services.Db.SaveChangesAsync(cancellationToken));
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent change",
                detail: $"Environment '{record.Name}' changed while queuing the operation; try again.");
        }

        services.Queue.Notify();
        return TypedResults.Accepted($"/v1/operations/{operation.Id}", new DeploymentResponse(OperationResponse.From(operation), diff, images));
    }

    private static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static ValidationProblem Invalid(IEnumerable<SpecError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => $"{e.Message} {e.Fix}".Trim()).ToArray()),
            title: "The change makes the spec invalid",
            detail: "Every problem found is listed under errors, by field of the request or path in the spec.");
}
