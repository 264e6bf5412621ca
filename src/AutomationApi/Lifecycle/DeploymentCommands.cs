using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Deployments;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>A queued deployment: the operation, what its plan changes, and the image each affected service will run.</summary>
/// <param name="Operation">The queued operation.</param>
/// <param name="PlanDiff">How the new plan differs from the environment's current one.</param>
/// <param name="Images">The image each affected service will run.</param>
public sealed record DeploymentQueued(StackOperation Operation, PlanDiff PlanDiff, IReadOnlyDictionary<string, string> Images);

/// <summary>
/// The developer workflow's decisions (deploy one service's image, promote images from another environment, roll back
/// to an earlier deployment): each edits the spec the environment is heading to only where asked and queues an
/// ordinary update (or preview) of the whole spec, so the queue, locks, retries and history treat it like any other.
/// One per request (scoped), sharing the request's read of the named environment with the access filter.
/// </summary>
public sealed class DeploymentCommands(
    PlatformDbContext db,
    EnvironmentLookup environments,
    EnvironmentCompiler compiler,
    OperationQueue queue,
    EnvironmentLifecycle lifecycle,
    SpecProtector protector,
    IAuthorizationService authorization,
    TimeProvider time,
    QueuedOperationSave saves)
{
    private const string InvalidTitle = "The change makes the spec invalid";
    private const string InvalidDetail = "Every problem found is listed under errors, by field of the request or path in the spec.";

    /// <summary>Deploys <paramref name="image"/> (and <paramref name="env"/> changes) of one service, or previews it.</summary>
    /// <param name="name">The environment.</param>
    /// <param name="service">The service.</param>
    /// <param name="image">The image, pinned by a version tag or digest.</param>
    /// <param name="env">Variable changes: a string sets, <c>{"secret": "…"}</c> sets a secret, <c>null</c> removes.</param>
    /// <param name="preview">Only preview the change.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed (the API's 409).</exception>
    public async Task<LifecycleResult<DeploymentQueued>> DeployAsync(
        string name, string service, string? image, JsonObject? env, bool preview, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(image))
        {
            return Refusals.Field("image", "Name the image to deploy, pinned by a version tag or digest, e.g. registry.example.com/team/api:1.4.3.");
        }

        if (await FindDeployableAsync(name, cancellationToken) is not { } record)
        {
            return LiveNotFound(name);
        }

        var current = protector.Unprotect(await HeadingToAsync(record, cancellationToken));
        var index = SpecEdits.IndexOf(current, service);
        if (index < 0)
        {
            var declared = SpecEdits.Images(current).Keys;
            return Refusals.Problem(StatusCodes.Status404NotFound, "Service not found",
                $"Environment '{name}' has no service '{service}'. Its services: {string.Join(", ", declared)}. Add a service with {CliRemedies.UpdateEnvironment(name)}.");
        }

        // A plain value for a secret variable would put the new value in a ConfigMap and the stored spec in plain text.
        if (SpecEdits.SecretsMadePlain(current, service, env) is { Count: > 0 } madePlain)
        {
            return Invalid(madePlain.Select(variable => new SpecError($"env.{variable}",
                $"'{variable}' is a secret of '{service}': a plain value would be stored and deployed in plain text.",
                $"Send {{\"{variable}\": {{\"secret\": \"…\"}}}} to change it, or null to remove the variable first.")));
        }

        var edited = SpecEdits.Deploy(current, service, image.Trim(), env)!;
        var compiled = compiler.Compile(edited);
        if (compiled.Environment is not { } next)
        {
            // Paths inside the deployed service are the request's own fields (image, env.X).
            var prefix = $"spec.services[{index}].";
            return Invalid(compiled.Errors.Select(e => e.Path.StartsWith(prefix, StringComparison.Ordinal) ? e with { Path = e.Path[prefix.Length..] } : e));
        }

        var kind = preview ? OperationKind.Preview : OperationKind.Update;
        var images = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add(service, image.Trim());
        return await QueueAsync(record, kind, protector.Protect(edited), "deploy", current, next, images,
            $"Deploy of {service} ({image.Trim()}) to {name}.", cancellationToken);
    }

    /// <summary>Copies the images running in <paramref name="from"/> to the environment <paramref name="name"/>, as one update.</summary>
    /// <param name="name">The environment promoted to.</param>
    /// <param name="from">The environment whose running images are copied.</param>
    /// <param name="services">The services to promote; all both environments declare when empty.</param>
    /// <param name="caller">Who asks (it must be able to read <paramref name="from"/>).</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed (the API's 409).</exception>
    public async Task<LifecycleResult<DeploymentQueued>> PromoteAsync(
        string name, string? from, IReadOnlyList<string>? services, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (string.IsNullOrWhiteSpace(from))
        {
            return Refusals.Field("from", "Name the environment to promote from, e.g. {\"from\": \"checkout-staging\"}.");
        }

        if (from == name)
        {
            return Refusals.Field("from", $"An environment cannot be promoted from itself; name another environment than '{name}'.");
        }

        if (await FindDeployableAsync(name, cancellationToken) is not { } record)
        {
            return LiveNotFound(name);
        }

        var source = await db.Environments.AsNoTracking()
            .SingleOrDefaultAsync(e => e.Name == from && e.Status != EnvironmentStatus.Destroyed, cancellationToken);
        if (source is null || !await EnvironmentAccess.CanReadAsync(authorization, caller.User, new EnvironmentScope(source.Team, source.Tier)))
        {
            return Refusals.Problem(StatusCodes.Status404NotFound, "Source environment not found",
                $"There is no live environment named '{from}' to promote from.");
        }

        if (source.Status == EnvironmentStatus.Creating)
        {
            return Refusals.Problem(StatusCodes.Status409Conflict, "Nothing deployed to promote",
                $"Environment '{from}' has not finished its first deployment; promote once it is ready.");
        }

        // What runs in the source is its last successfully deployed spec; the target changes on top of what it is
        // heading to (its own queued updates included).
        var running = SpecEdits.Images(protector.Unprotect(source.SpecText));
        var current = protector.Unprotect(await HeadingToAsync(record, cancellationToken));
        var declared = SpecEdits.Images(current);
        var wanted = services is { Count: > 0 } named ? named : [.. running.Keys.Where(declared.ContainsKey)];
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < wanted.Count; i++)
        {
            if (!running.ContainsKey(wanted[i]))
            {
                errors[$"services[{i}]"] = [$"'{from}' runs no service '{wanted[i]}'. It runs: {string.Join(", ", running.Keys)}."];
            }
            else if (!declared.ContainsKey(wanted[i]))
            {
                errors[$"services[{i}]"] = [$"'{name}' declares no service '{wanted[i]}'. Add it with {CliRemedies.UpdateEnvironment(name)} first."];
            }
        }

        if (errors.Count > 0)
        {
            return Refusals.Invalid(errors, "Cannot promote these services");
        }

        if (wanted.Count == 0)
        {
            return Refusals.Field("services", $"'{from}' and '{name}' have no service in common; name the services to promote.");
        }

        var images = wanted.Distinct(StringComparer.Ordinal).ToImmutableSortedDictionary(s => s, s => running[s], StringComparer.Ordinal);
        var edited = SpecEdits.WithImages(current, images);
        var compiled = compiler.Compile(edited);
        if (compiled.Environment is not { } next)
        {
            return Invalid(compiled.Errors);
        }

        return await QueueAsync(record, OperationKind.Update, protector.Protect(edited), $"promote:{source.Name}", current, next, images,
            $"Promotion from {source.Name} to {name}: {string.Join(", ", images.Select(i => $"{i.Key}={i.Value}"))}.", cancellationToken);
    }

    /// <summary>Re-applies the spec of an earlier successful deployment (by default the one before the current one).</summary>
    /// <param name="name">The environment.</param>
    /// <param name="operationId">The create or update whose spec is re-applied, if named.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed (the API's 409).</exception>
    public async Task<LifecycleResult<DeploymentQueued>> RollbackAsync(string name, string? operationId, CancellationToken cancellationToken)
    {
        if (await FindDeployableAsync(name, cancellationToken) is not { } record)
        {
            return LiveNotFound(name);
        }

        var deployments = db.Operations.AsNoTracking().Where(o =>
            o.EnvironmentId == record.Id && (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update) &&
            o.State == OperationState.Succeeded && o.SpecText != null);
        StackOperation? chosen;
        if (operationId is { Length: > 0 } id)
        {
            chosen = await deployments.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (chosen is null)
            {
                return Refusals.Field("operationId", $"'{id}' is not a successful create or update of environment '{name}'. Pick one from its operations.");
            }
        }
        else
        {
            // The deployment before the current one.
            chosen = (await deployments.OrderByDescending(o => o.Sequence).Take(2).ToListAsync(cancellationToken)).Skip(1).FirstOrDefault();
            if (chosen is null)
            {
                return Refusals.Problem(StatusCodes.Status409Conflict, "Nothing to roll back to",
                    $"Environment '{name}' has no successful deployment before its current one; name one with {{\"operationId\": \"…\"}}.");
            }
        }

        var spec = protector.Unprotect(chosen.SpecText!);
        var compiled = compiler.Compile(spec);
        if (compiled.Environment is not { } next)
        {
            // Guardrails or targets changed since: the old spec cannot be deployed as it was.
            return Invalid(compiled.Errors);
        }

        var current = protector.Unprotect(await HeadingToAsync(record, cancellationToken));
        var images = SpecEdits.Images(spec).ToImmutableSortedDictionary(StringComparer.Ordinal);
        return await QueueAsync(record, OperationKind.Update, chosen.SpecText!, $"rollback:{chosen.Id}", current, next, images,
            $"Rollback of {name} to the spec of {chosen.Id}.", cancellationToken);
    }

    /// <summary>The live environment, refusing (409, <see cref="IllegalTransitionException"/>) one being destroyed.</summary>
    private async Task<EnvironmentRecord?> FindDeployableAsync(string name, CancellationToken cancellationToken)
    {
        var record = await environments.FindLiveAsync(name, cancellationToken);
        record?.EnsureDeployable();
        return record;
    }

    /// <summary>
    /// The spec an environment is heading to: that of its latest queued or running create or update, else the spec
    /// it was last deployed with. A change builds on it, so it never undoes an update still waiting in the queue.
    /// </summary>
    private async Task<string> HeadingToAsync(EnvironmentRecord record, CancellationToken cancellationToken) =>
        await db.Operations.AsNoTracking()
            .Where(o => o.EnvironmentId == record.Id && (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update) &&
                        (o.State == OperationState.Queued || o.State == OperationState.Running) && o.SpecText != null)
            .OrderByDescending(o => o.Sequence)
            .Select(o => o.SpecText)
            .FirstOrDefaultAsync(cancellationToken) ?? record.SpecText;

    private async Task<LifecycleResult<DeploymentQueued>> QueueAsync(
        EnvironmentRecord record, OperationKind kind, string protectedSpec, string origin,
        string currentSpec, CompiledEnvironment next, IReadOnlyDictionary<string, string> images, string message, CancellationToken cancellationToken)
    {
        var before = compiler.Compile(currentSpec).Environment?.Plan;
        var diff = PlanDiff.Between(before, next.Plan);
        var now = time.GetUtcNow();
        var operation = kind == OperationKind.Update
            ? lifecycle.QueueUpdate(queue, record, protectedSpec, origin)
            : queue.Add(record, kind, protectedSpec, origin);
        db.Events.Add(new OperationEvent { OperationId = operation.Id, Sequence = 2, Timestamp = now, Type = "request", Message = message, Detail = origin });

        // An update (a deploy, promotion or rollback) only within its team's quota: its cost is already estimated.
        var charge = kind == OperationKind.Update ? new QuotaCharge(record, next.Spec, () => next.Cost.MonthlyTotal) : null;
        if (await saves.SaveAsync(operation, charge, plan: null, raced: null, cancellationToken) is { } refused)
        {
            return refused;
        }

        return new DeploymentQueued(operation, diff, images);
    }

    private static ProblemDetails LiveNotFound(string name) =>
        Refusals.Problem(StatusCodes.Status404NotFound, "Environment not found", $"There is no live environment named '{name}'.");

    private static HttpValidationProblemDetails Invalid(IEnumerable<SpecError> errors) => Refusals.Spec(errors, InvalidTitle, InvalidDetail);
}
