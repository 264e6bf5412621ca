using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>A destroy request's answer: the destroy queued (or already under way), or the one that destroyed it.</summary>
/// <param name="Operation">The destroy.</param>
/// <param name="Pending">Whether it is queued or running (<see langword="false"/>: the environment is already destroyed).</param>
public sealed record DestroyRequested(StackOperation Operation, bool Pending);

/// <summary>
/// The decisions behind each request to change an environment, one method per request: find the environment, check
/// the spec (cheap checks first, so a huge or doomed spec is never compiled), authorize it, move the environment
/// through its transitions (<see cref="EnvironmentLifecycle"/>), queue the operation and save, answering a lost race as
/// a conflict. One per request (scoped): it shares the request's unit of work and its read of the named environment
/// (<see cref="EnvironmentLookup"/>) with the access filter. Handlers bind, call one method and map its
/// <see cref="LifecycleResult{T}"/>.
/// </summary>
public sealed partial class EnvironmentCommands(
    PlatformDbContext db,
    EnvironmentLookup environments,
    EnvironmentCompiler compiler,
    OperationQueue queue,
    EnvironmentLifecycle lifecycle,
    SpecProtector protector,
    IAuthorizationService authorization,
    TimeProvider time,
    IOptions<PlatformOptions> options,
    ILogger<EnvironmentCommands> logger,
    QueuedOperationSave saves)
{
    private const string InvalidTitle = "The spec is invalid";
    private const string InvalidDetail = "Every problem found is listed under errors, by path in the spec.";

    /// <summary>The per-environment limits, checked before compiling.</summary>
    private SpecLimits Limits => new(options.Value.Limits.MaxServices, options.Value.Limits.MaxResources,
        "Platform:Limits:MaxServices / Platform:Limits:MaxResources");

    /// <summary>Creates an environment from <paramref name="specText"/>: its first deployment is queued.</summary>
    /// <param name="specText">The spec (YAML or JSON).</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<LifecycleResult<StackOperation>> CreateAsync(string specText, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var cheap = await CheckCheapAsync(EnvironmentCompiler.Parse(specText), urlName: null, caller);
        if (cheap.Value is not { } spec)
        {
            return cheap.Problem!;
        }

        if (await environments.IsLiveNameTakenAsync(spec.Name, cancellationToken))
        {
            // (A concurrent retry with this request's Idempotency-Key may have created it: the key's filter then replays it.)
            return NameTaken(spec.Name, caller);
        }

        // Only what can refuse the spec runs before the 202 (no rendering; a cost estimate only under a cost quota,
        // from the plan compiled here): the operation completes it when it runs.
        var inspection = compiler.Inspect(spec);
        if (inspection.Errors is { IsEmpty: false } errors)
        {
            return Invalid(errors);
        }

        var now = time.GetUtcNow();
        var record = EnvironmentRecord.Create(spec, protector.Protect(specText), now, EnvironmentExpiry.AtCreation(spec, now));
        db.Environments.Add(record);
        var operation = queue.Add(record, OperationKind.Create, record.SpecText, "api");

        // Lost a race: the idempotency key (claimed in the same transaction as the operation) or the database's
        // unique index on live names decides. A retry whose key won gets the winner's operation from the key's filter.
        return await SaveAsync(operation, cancellationToken, (record, inspection), raced: () => NameTaken(spec.Name, caller));
    }

    /// <summary>
    /// Deploys <paramref name="specText"/> to the live environment <paramref name="name"/>. Secrets masked by a GET
    /// (<c>{ secret: { unchanged: true } }</c>) keep their stored values.
    /// </summary>
    /// <param name="name">The environment (from the URL).</param>
    /// <param name="specText">The new spec (YAML or JSON).</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed (the API's 409).</exception>
    public async Task<LifecycleResult<StackOperation>> UpdateAsync(string name, string specText, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await environments.FindLiveAsync(name, cancellationToken) is not { } record)
        {
            return Refusals.EnvironmentNotFound(name);
        }

        // The idempotency key still hashes the text as sent.
        var (resolved, parsed, unkept) = KeepStoredSecrets(record, specText);
        if (unkept is not null)
        {
            return unkept;
        }

        // The route's filter authorized the environment as it is; the new spec's team and tier must be allowed too.
        var cheap = await CheckCheapAsync(parsed, name, caller, "Send the spec to its own environment's URL.");
        if (cheap.Value is not { } spec)
        {
            return cheap.Problem!;
        }

        record.EnsureDeployable();
        if (!string.Equals(spec.Target, record.Target, StringComparison.Ordinal))
        {
            // The stack's resources live on the old target; deploying elsewhere would orphan them while the record
            // still names the old one.
            return Refusals.Problem(StatusCodes.Status409Conflict, "Deployment target cannot change",
                $"Environment '{name}' is deployed to target '{record.Target}', not '{spec.Target}': an environment cannot move " +
                "between deployment targets; create a new environment on the new target and destroy this one.");
        }

        var inspection = compiler.Inspect(spec);
        if (inspection.Errors is { IsEmpty: false } errors)
        {
            return Invalid(errors);
        }

        return await SaveAsync(lifecycle.QueueUpdate(queue, record, protector.Protect(resolved), "api"), cancellationToken, (record, inspection));
    }

    /// <summary>
    /// Destroys the environment <paramref name="name"/>. Repeating it never queues a second destroy: while one is
    /// queued or running (and does at least what is asked: forced, when force is asked), the answer is that one; once
    /// the environment is destroyed, the operation that destroyed it (nothing queued).
    /// </summary>
    /// <param name="name">The environment.</param>
    /// <param name="force">Destroy protected resources too (they are unprotected first).</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<LifecycleResult<DestroyRequested>> DestroyAsync(string name, bool force, CancellationToken cancellationToken)
    {
        // Read twice at most: a destroy that finishes between reading the environment (destroying) and looking for its
        // pending operation (none any more) left a repeated DELETE with a stale record, and it answered 409 instead of
        // the destroy that had just finished (seen once in CI, IdempotencyRaceTests). A second read finds it done.
        for (var attempt = 0; ; attempt++)
        {
            if (await environments.FindAsync(name, cancellationToken) is not { } record)
            {
                return Refusals.EnvironmentNotFound(name);
            }

            if (!record.IsLive)
            {
                return await LastDestroyAsync(record.Id, pendingOnly: false, cancellationToken) is { } done
                    ? new DestroyRequested(done, Pending: false)
                    : Refusals.EnvironmentNotFound(name);
            }

            if (record.Status == EnvironmentStatus.Destroying)
            {
                var pending = await LastDestroyAsync(record.Id, pendingOnly: true, cancellationToken);
                if (pending is not null && (pending.Force || !force))
                {
                    // (A new key for the destroy already under way is remembered with it by the key's filter.)
                    return new DestroyRequested(pending, Pending: true);
                }

                if (pending is null && attempt == 0)
                {
                    db.ChangeTracker.Clear();
                    continue;
                }
            }

            var operation = lifecycle.QueueDestroy(queue, record, "api", force);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A concurrent DELETE changed the record first (its version token): its destroy is this one's answer
                // too; if it has finished already, the next read answers with it.
                db.ChangeTracker.Clear();
                if (await LastDestroyAsync(record.Id, pendingOnly: true, cancellationToken) is { } concurrent && (concurrent.Force || !force))
                {
                    return new DestroyRequested(concurrent, Pending: true);
                }

                if (attempt == 0)
                {
                    continue;
                }

                return Refusals.ConcurrentChange(name, "queuing its destroy");
            }

            queue.Notify();
            return new DestroyRequested(operation, Pending: true);
        }
    }

    /// <summary>Previews what <paramref name="specText"/> (or, without one, the current spec) would change.</summary>
    /// <param name="name">The environment.</param>
    /// <param name="specText">The candidate spec, if any.</param>
    /// <param name="caller">Who asks.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<LifecycleResult<StackOperation>> PreviewAsync(string name, string? specText, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await environments.FindLiveAsync(name, cancellationToken) is not { } record)
        {
            return Refusals.EnvironmentNotFound(name);
        }

        if (specText is not null)
        {
            // The document GET answers, secrets masked, previews like it updates.
            var (resolved, parsed, unkept) = KeepStoredSecrets(record, specText);
            if (unkept is not null)
            {
                return unkept;
            }

            var cheap = await CheckCheapAsync(parsed, name, caller, "Preview a spec at its own environment's URL.");
            if (cheap.Value is not { } spec)
            {
                return cheap.Problem!;
            }

            if (compiler.Check(spec) is { IsEmpty: false } errors)
            {
                return Invalid(errors);
            }

            specText = resolved;
        }

        return await SaveAsync(queue.Add(record, OperationKind.Preview, specText is null ? null : protector.Protect(specText), "api"), cancellationToken);
    }

    /// <summary>Checks for drift: a refresh of the environment's stack is queued.</summary>
    /// <param name="name">The environment.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<LifecycleResult<StackOperation>> RefreshAsync(string name, CancellationToken cancellationToken) =>
        await environments.FindLiveAsync(name, cancellationToken) is { } record
            ? await SaveAsync(queue.Add(record, OperationKind.Refresh, null, "api"), cancellationToken)
            : Refusals.EnvironmentNotFound(name);

    /// <summary>Pushes the environment's expiry out to now + <paramref name="ttl"/>, within its tier's maximum.</summary>
    /// <param name="name">The environment.</param>
    /// <param name="ttl">The wanted lifetime from now, such as <c>48h</c>.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="IllegalTransitionException">The environment is being destroyed (the API's 409).</exception>
    public async Task<LifecycleResult<EnvironmentRecord>> ExtendAsync(string name, string? ttl, CancellationToken cancellationToken)
    {
        if (await environments.FindAsync(name, cancellationToken) is not { } record)
        {
            return Refusals.EnvironmentNotFound(name);
        }

        if (record.Extend(ttl, time.GetUtcNow()) is { } refused)
        {
            return Refusals.Field("ttl", refused);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Refusals.ConcurrentChange(name, "extending it");
        }

        return record;
    }

    /// <summary>
    /// The checks that cost little, in order: the spec parses, names the environment of the URL (when there is one),
    /// stays within the limits, and the caller may create or deploy it. The parsed spec, or the refusal.
    /// </summary>
    private async Task<LifecycleResult<EnvironmentSpec>> CheckCheapAsync(SpecParseResult parsed, string? urlName, Caller caller, string? fix = null)
    {
        if (parsed.Spec is not { } spec)
        {
            return Invalid(EnvironmentPipeline.Errors(parsed, compiler.Targets));
        }

        if (urlName is not null && spec.Name != urlName)
        {
            return Invalid([new SpecError("metadata.name", $"The spec names '{spec.Name}' but the URL names '{urlName}'.", fix!)]);
        }

        if (Limits.Check(spec) is { IsEmpty: false } tooLarge)
        {
            return Invalid(tooLarge);
        }

        return await EnvironmentAccess.AuthorizeSpecAsync(authorization, caller.User, spec) is { } denied ? denied : spec;
    }

    /// <summary>The latest destroy of an environment incarnation (only a queued or running one when <paramref name="pendingOnly"/>).</summary>
    private Task<StackOperation?> LastDestroyAsync(string environmentId, bool pendingOnly, CancellationToken cancellationToken) =>
        db.Operations.AsNoTracking()
            .Where(o => o.EnvironmentId == environmentId && o.Kind == OperationKind.Destroy &&
                        (!pendingOnly || o.State == OperationState.Queued || o.State == OperationState.Running))
            .OrderByDescending(o => o.Sequence)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Saves the queued <paramref name="operation"/> with its environment's change through the one shared save
    /// (<see cref="QueuedOperationSave"/>), answering a lost race with <paramref name="raced"/> (by default a 409); a
    /// deployment or create (<paramref name="deploying"/>) only within its team's quota (else a 422), its compiled plan
    /// handed to the operation.
    /// </summary>
    private async Task<LifecycleResult<StackOperation>> SaveAsync(
        StackOperation operation,
        CancellationToken cancellationToken,
        (EnvironmentRecord Record, SpecInspection Inspection)? deploying = null,
        Func<ProblemDetails>? raced = null)
    {
        var charge = deploying is { } d ? new QuotaCharge(d.Record, d.Inspection.Spec, () => MonthlyCost(d.Inspection)) : null;
        return await saves.SaveAsync(operation, charge, deploying?.Inspection, raced, cancellationToken) is { } refused
            ? refused
            : operation;
    }

    /// <summary>The estimated monthly cost of a spec the request's checks compiled (<see cref="EnvironmentCompiler.Inspect"/>), from that plan.</summary>
    private static decimal MonthlyCost(SpecInspection inspection) =>
        inspection.Plan is { } plan ? EnvironmentPipeline.EstimateCost(plan).MonthlyTotal : 0;

    private static HttpValidationProblemDetails Invalid(IEnumerable<SpecError> errors) => Refusals.Spec(errors, InvalidTitle, InvalidDetail);

    // The spec as sent with each masked secret ({ secret: { unchanged: true } }) given the value stored for it, parsed;
    // a problem when one has none stored, listing the spec's other errors too, so fixing it uncovers nothing new.
    private (string Resolved, SpecParseResult Parsed, HttpValidationProblemDetails? Unkept) KeepStoredSecrets(EnvironmentRecord record, string specText)
    {
        var (resolved, unkept) = SecretCarryOver.Resolve(specText, EnvironmentCompiler.Parse(protector.Unprotect(record.SpecText) ?? "").Spec);
        var parsed = EnvironmentCompiler.Parse(resolved);
        return (resolved, parsed, unkept.IsEmpty ? null : Invalid([.. unkept, .. EnvironmentPipeline.Errors(parsed, compiler.Targets)]));
    }

    private ProblemDetails NameTaken(string name, Caller caller)
    {
        // Losing a name to another creator is the caller's conflict, not the service's error.
        LogNameTaken(logger, name, caller.RequestId);
        return Refusals.Problem(StatusCodes.Status409Conflict, "Environment name taken",
            $"A live environment named '{name}' already exists. Update it with {CliRemedies.UpdateEnvironment(name)}, or pick another name.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Create refused: a live environment named {Name} already exists (request {RequestId})")]
    private static partial void LogNameTaken(ILogger logger, string name, string requestId);
}
