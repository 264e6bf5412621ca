using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.AutomationApi.Apis;

/// <summary>Everything an environments handler needs.</summary>
public sealed record EnvironmentServices(
    PlatformDbContext Db,
    EnvironmentCompiler Compiler,
    OperationQueue Queue,
    EnvironmentLifecycle Lifecycle,
    SpecProtector Protector,
    TimeProvider Time,
    IOptions<PlatformOptions> Options,
    ILoggerFactory Logs,
    Quotas.TeamQuotas Quotas)
{
    /// <summary>The environments API's log.</summary>
    public ILogger Log => Logs.CreateLogger(typeof(EnvironmentsApi).FullName!);

    /// <summary>The per-environment limits, checked before compiling.</summary>
    public SpecLimits Limits => new(Options.Value.Limits.MaxServices, Options.Value.Limits.MaxResources,
        "Platform:Limits:MaxServices / Platform:Limits:MaxResources");
}

/// <summary><c>/v1/environments</c>: create, list, read, update, destroy, preview, refresh and extend environments.</summary>
public static partial class EnvironmentsApi
{
    private static readonly string[] SpecContentTypes = ["application/json", "application/yaml", "application/x-yaml", "text/yaml"];

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapEnvironmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/environments").WithTags("Environments");

        // Authorization first: a replayed idempotent answer is no way around it.
        api.RequireEnvironmentAccess();
        api.AddEndpointFilterFactory(IdempotencyFilter.Factory);

        // Every failure is an RFC 9457 problem; declared once for the group so the OpenAPI document shows them.
        api.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/", CreateEnvironment).WithName("CreateEnvironment")
            .WithSummary("Create an environment from a spec (JSON or YAML); returns the queued operation.")
            .Accepts<string>(false, SpecContentTypes[0], SpecContentTypes[1..]);
        api.MapGet("/", ListEnvironments).WithName("ListEnvironments")
            .WithSummary("List environments, filtered by team, tier and status, a page at a time.");
        api.MapGet("/{name}", GetEnvironment).WithName("GetEnvironment").AddEndpointFilter(SpecDocumentApi.YamlWhenAccepted)
            .WithSummary("Get an environment: status, spec, plan summary, outputs (secrets masked), expiry and last operation.");
        api.MapPut("/{name}", UpdateEnvironment).WithName("UpdateEnvironment")
            .WithSummary("Deploy a new spec to an environment; returns the queued operation.")
            .Accepts<string>(false, SpecContentTypes[0], SpecContentTypes[1..]);
        api.MapDelete("/{name}", DestroyEnvironment).WithName("DestroyEnvironment")
            .WithSummary("Destroy an environment (its record and history are kept); returns the queued operation, the one already " +
                         "queued or running when repeated, or (200) the one that destroyed it.");
        api.MapPost("/{name}/preview", PreviewEnvironment).WithName("PreviewEnvironment")
            .WithSummary("Preview what a spec (or the current one, with no body) would change: engine steps and plan diff.");
        api.MapPost("/{name}/refresh", RefreshEnvironment).WithName("RefreshEnvironment")
            .WithSummary("Check for drift: refresh the stack's state from the real resources.");
        api.MapPost("/{name}/extend", ExtendEnvironment).WithName("ExtendEnvironment")
            .WithSummary("Push an environment's expiry out (never earlier), within its tier's maximum TTL.");
        return app;
    }

    /// <summary>POST /v1/environments.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> CreateEnvironment(
        HttpRequest request,
        [AsParameters] EnvironmentServices services,
        CancellationToken cancellationToken)
    {
        var (text, early) = await ReadSpecAsync(request, required: true, services, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        // Cheap checks first (parse, size limits, the name), so a huge or doomed spec is never compiled.
        var parsed = EnvironmentCompiler.Parse(text!);
        if (parsed.Spec is not { } parsedSpec)
        {
            return Invalid(EnvironmentPipeline.Errors(parsed, services.Compiler.Targets));
        }

        if (services.Limits.Check(parsedSpec) is { IsEmpty: false } tooLarge)
        {
            return Invalid(tooLarge);
        }

        if (await EnvironmentAccess.AuthorizeSpecAsync(request.HttpContext, parsedSpec) is { } denied)
        {
            return denied;
        }

        if (await EnvironmentReads.IsLiveNameTakenAsync(services.Db, parsedSpec.Name, cancellationToken))
        {
            // (A concurrent retry with this request's Idempotency-Key may have created it: the key's filter then replays it.)
            return NameTaken(services, request, parsedSpec.Name);
        }

        // Only what can refuse the spec runs before the 202 (no cost estimate, no rendering): the operation compiles
        // it in full when it runs.
        if (services.Compiler.Check(parsedSpec) is { IsEmpty: false } errors)
        {
            return Invalid(errors);
        }

        var spec = parsedSpec;

        var now = services.Time.GetUtcNow();
        var record = new EnvironmentRecord
        {
            Id = "env_" + Guid.CreateVersion7().ToString("N"),
            Name = spec.Name,
            Team = spec.Metadata.Team,
            Tier = spec.Tier,
            Target = spec.Target,
            Status = EnvironmentStatus.Creating,
            SpecText = services.Protector.Protect(text!),
            SpecViewJson = EnvironmentRecord.ViewOf(spec),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = ExpiryFor(spec, now),
        };
        services.Db.Environments.Add(record);
        var operation = services.Queue.Add(record, OperationKind.Create, record.SpecText, "api");
        try
        {
            // Saved only within the team's quota (else a 422 problem).
            await services.Quotas.SaveAsync(services.Db, record, spec, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race: the idempotency key (claimed in the same transaction as the operation) or the database's
            // unique index on live names decides. A retry whose key won gets the winner's operation from the key's filter.
            services.Db.ChangeTracker.Clear();
            return NameTaken(services, request, spec.Name);
        }

        services.Queue.Notify();
        return Accepted(operation);
    }

    /// <summary>GET /v1/environments.</summary>
    public static async Task<Results<Ok<Page<EnvironmentSummary>>, ValidationProblem>> ListEnvironments(
        [AsParameters] EnvironmentServices services,
        System.Security.Claims.ClaimsPrincipal user,
        string? team,
        string? tier,
        string? status,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken)
    {
        var pageSize = limit ?? services.Options.Value.DefaultPageSize;
        if (pageSize is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["The page size must be between 1 and 200."] });
        }

        // Callers other than admins see their own team only: another team's filter finds nothing, as if it had none.
        if (!user.IsAdmin())
        {
            if (team is not null && !string.Equals(team, user.TeamOf(), StringComparison.Ordinal))
            {
                return TypedResults.Ok(new Page<EnvironmentSummary>([], null));
            }

            team = user.TeamOf() ?? "";
        }

        Tier? wantedTier = null;
        if (tier is not null)
        {
            if (!Enum.TryParse<Tier>(tier, ignoreCase: true, out var parsedTier) || !Enum.IsDefined(parsedTier))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tier"] = [$"Unknown tier '{tier}'. Use one of: {string.Join(", ", Enum.GetNames<Tier>().Select(n => n.ToLowerInvariant()))}."] });
            }

            wantedTier = parsedTier;
        }

        EnvironmentStatus? wantedStatus = null;
        if (status is not null)
        {
            if (!Enum.TryParse<EnvironmentStatus>(status, ignoreCase: true, out var parsedStatus) || !Enum.IsDefined(parsedStatus))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Unknown status '{status}'. Use one of: {string.Join(", ", Enum.GetNames<EnvironmentStatus>().Select(n => n.ToLowerInvariant()))}."] });
            }

            wantedStatus = parsedStatus;
        }

        (string, string)? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, out var afterName, out var afterId))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this service issued; start again without it."] });
            }

            after = (afterName, afterId);
        }

        return TypedResults.Ok(await EnvironmentReads.PageAsync(services.Db, team, wantedTier, wantedStatus, after, pageSize, cancellationToken));
    }

    /// <summary>GET /v1/environments/{name}.</summary>
    [AuthorizesEnvironmentRead]
    public static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> GetEnvironment(
        string name, HttpContext context, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        // Authorized against the environment this one query read (another team's is not found), not by a lookup before it.
        var response = await EnvironmentReads.DescribeAsync(services.Db, services.Protector, name, cancellationToken);
        return response is null || !await EnvironmentAccess.CanReadAsync(context, new EnvironmentScope(response.Team, response.Tier))
            ? NotFound(name)
            : TypedResults.Ok(response);
    }

    /// <summary>PUT /v1/environments/{name}.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> UpdateEnvironment(
        string name,
        HttpRequest request,
        [AsParameters] EnvironmentServices services,
        CancellationToken cancellationToken)
    {
        var (text, early) = await ReadSpecAsync(request, required: true, services, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        // Cheap checks first (existence, parse, name, size limits), so a huge or doomed spec is never compiled.
        var record = await FindAsync(services.Db, name, liveOnly: true, cancellationToken);
        if (record is null)
        {
            return NotFound(name);
        }

        // Secrets masked by a GET ({ secret: { unchanged: true } }) keep their stored values; the idempotency key
        // still hashes the text as sent.
        var (resolved, unkept) = SecretCarryOver.Resolve(text!, EnvironmentCompiler.Parse(services.Protector.Unprotect(record.SpecText) ?? "").Spec);
        var parsed = EnvironmentCompiler.Parse(resolved);
        if (parsed.Spec is not { } parsedSpec || !unkept.IsEmpty)
        {
            return Invalid([.. unkept, .. EnvironmentPipeline.Errors(parsed, services.Compiler.Targets)]);
        }

        if (parsedSpec.Name != name)
        {
            return Invalid([new SpecError("metadata.name", $"The spec names '{parsedSpec.Name}' but the URL names '{name}'.", "Send the spec to its own environment's URL.")]);
        }

        if (services.Limits.Check(parsedSpec) is { IsEmpty: false } tooLarge)
        {
            return Invalid(tooLarge);
        }

        // The route's filter authorized the environment as it is; the new spec's team and tier must be allowed too.
        if (await EnvironmentAccess.AuthorizeSpecAsync(request.HttpContext, parsedSpec) is { } denied)
        {
            return denied;
        }

        record.EnsureDeployable();

        if (!string.Equals(parsedSpec.Target, record.Target, StringComparison.Ordinal))
        {
            // The stack's resources live on the old target; deploying elsewhere would orphan them while the record
            // still names the old one.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Deployment target cannot change",
                detail: $"Environment '{name}' is deployed to target '{record.Target}', not '{parsedSpec.Target}': an environment cannot move " +
                        "between deployment targets; create a new environment on the new target and destroy this one.");
        }

        if (services.Compiler.Check(parsedSpec) is { IsEmpty: false } errors)
        {
            return Invalid(errors);
        }

        var operation = services.Lifecycle.QueueUpdate(services.Queue, record, services.Protector.Protect(resolved), "api");
        return await SaveAndAcceptAsync(services, operation, cancellationToken, (record, parsedSpec));
    }

    /// <summary>
    /// DELETE /v1/environments/{name}[?force=true]. Repeating it (with or without a key) never queues a second
    /// destroy: while one is queued or running (and does at least what is asked: forced, when force is asked), the
    /// answer is that operation; once the environment is destroyed, the operation that destroyed it (200, nothing queued).
    /// </summary>
    /// <param name="name">The environment.</param>
    /// <param name="force">Destroy protected resources too (e.g. a prod database): they are unprotected first, and the
    /// operation records it. Without it, a destroy of a stack that holds protected resources is refused before anything is deleted.</param>
    /// <param name="services">Handler dependencies.</param>
    /// <param name="cancellationToken">Request abort.</param>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, Ok<OperationResponse>, ProblemHttpResult>> DestroyEnvironment(
        string name,
        [FromQuery] bool? force,
        [AsParameters] EnvironmentServices services,
        CancellationToken cancellationToken)
    {
        // (A forced destroy is another request than a plain one: a key reused across them is a mismatch, 422.)
        var record = await FindAsync(services.Db, name, liveOnly: true, cancellationToken);
        if (record is null)
        {
            var destroyed = await FindAsync(services.Db, name, liveOnly: false, cancellationToken);
            return destroyed is not null && await LastDestroyAsync(services.Db, destroyed.Id, pendingOnly: false, cancellationToken) is { } done
                ? TypedResults.Ok(OperationResponse.From(done))
                : NotFound(name);
        }

        if (record.Status == EnvironmentStatus.Destroying &&
            await LastDestroyAsync(services.Db, record.Id, pendingOnly: true, cancellationToken) is { } pending && (pending.Force || force != true))
        {
            // (A new key for the destroy already under way is remembered with it by the key's filter.)
            return Accepted(pending);
        }

        var operation = services.Lifecycle.QueueDestroy(services.Queue, record, "api", force == true);
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent DELETE changed the record first (its version token): its destroy is this one's answer too.
            services.Db.ChangeTracker.Clear();
            return await LastDestroyAsync(services.Db, record.Id, pendingOnly: true, cancellationToken) is { } concurrent && (concurrent.Force || force != true)
                ? Accepted(concurrent)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent change",
                    detail: $"Environment '{name}' changed while queuing its destroy; try again.");
        }

        services.Queue.Notify();
        return Accepted(operation);
    }

    /// <summary>The latest destroy of an environment incarnation (only a queued or running one when <paramref name="pendingOnly"/>).</summary>
    private static Task<StackOperation?> LastDestroyAsync(PlatformDbContext db, string environmentId, bool pendingOnly, CancellationToken cancellationToken) =>
        db.Operations.AsNoTracking()
            .Where(o => o.EnvironmentId == environmentId && o.Kind == OperationKind.Destroy &&
                        (!pendingOnly || o.State == OperationState.Queued || o.State == OperationState.Running))
            .OrderByDescending(o => o.Sequence)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>POST /v1/environments/{name}/preview.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> PreviewEnvironment(
        string name,
        HttpRequest request,
        [AsParameters] EnvironmentServices services,
        CancellationToken cancellationToken)
    {
        var (text, early) = await ReadSpecAsync(request, required: false, services, cancellationToken);
        if (early is not null)
        {
            return early;
        }

        var record = await FindAsync(services.Db, name, liveOnly: true, cancellationToken);
        if (record is null)
        {
            return NotFound(name);
        }

        if (text is not null)
        {
            var parsed = EnvironmentCompiler.Parse(text);
            if (parsed.Spec is not { } parsedSpec)
            {
                return Invalid(EnvironmentPipeline.Errors(parsed, services.Compiler.Targets));
            }

            if (parsedSpec.Name != name)
            {
                return Invalid([new SpecError("metadata.name", $"The spec names '{parsedSpec.Name}' but the URL names '{name}'.", "Preview a spec at its own environment's URL.")]);
            }

            if (services.Limits.Check(parsedSpec) is { IsEmpty: false } tooLarge)
            {
                return Invalid(tooLarge);
            }

            if (await EnvironmentAccess.AuthorizeSpecAsync(request.HttpContext, parsedSpec) is { } denied)
            {
                return denied;
            }

            if (services.Compiler.Check(parsedSpec) is { IsEmpty: false } errors)
            {
                return Invalid(errors);
            }
        }

        var operation = services.Queue.Add(record, OperationKind.Preview, text is null ? null : services.Protector.Protect(text), "api");
        return await SaveAndAcceptAsync(services, operation, cancellationToken);
    }

    /// <summary>POST /v1/environments/{name}/refresh.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> RefreshEnvironment(
        string name,
        [AsParameters] EnvironmentServices services,
        CancellationToken cancellationToken)
    {
        var record = await FindAsync(services.Db, name, liveOnly: true, cancellationToken);
        if (record is null)
        {
            return NotFound(name);
        }

        var operation = services.Queue.Add(record, OperationKind.Refresh, null, "api");
        return await SaveAndAcceptAsync(services, operation, cancellationToken);
    }

    /// <summary>POST /v1/environments/{name}/extend.</summary>
    public static async Task<Results<Ok<EnvironmentResponse>, ValidationProblem, ProblemHttpResult>> ExtendEnvironment(
        string name, ExtendRequest body, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var record = await FindAsync(services.Db, name, liveOnly: false, cancellationToken);
        if (record is null)
        {
            return NotFound(name);
        }

        if (record.Extend(body.Ttl, services.Time.GetUtcNow()) is { } refused)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ttl"] = [refused] });
        }

        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent change",
                detail: $"Environment '{name}' changed while extending it; try again.");
        }

        return await EnvironmentReads.DescribeAsync(services.Db, services.Protector, name, cancellationToken) is { } response
            ? TypedResults.Ok(response)
            : NotFound(name);
    }

    /// <summary>When an environment created at <paramref name="now"/> expires: its TTL or the tier default; never for prod.</summary>
    public static DateTimeOffset? ExpiryFor(EnvironmentSpec spec, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var profile = TierProfile.For(spec.Tier);
        if (profile.DefaultTtl is null && profile.MaxTtl is null)
        {
            return null;
        }

        return (spec.Ttl ?? profile.DefaultTtl) is { } ttl ? now + ttl : null;
    }

    private static async Task<EnvironmentRecord?> FindAsync(PlatformDbContext db, string name, bool liveOnly, CancellationToken cancellationToken)
    {
        var live = await db.Environments.SingleOrDefaultAsync(e => e.Name == name && e.Status != EnvironmentStatus.Destroyed, cancellationToken);
        if (live is not null || liveOnly)
        {
            return live;
        }

        return await db.Environments.Where(e => e.Name == name).OrderByDescending(e => e.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> SaveAndAcceptAsync(
        EnvironmentServices services, StackOperation operation, CancellationToken cancellationToken, (EnvironmentRecord Record, EnvironmentSpec Spec)? deploying = null)
    {
        try
        {
            // A deployment is saved only within its team's quota (else a 422 problem).
            await (deploying is { } d ? services.Quotas.SaveAsync(services.Db, d.Record, d.Spec, cancellationToken) : services.Db.SaveChangesAsync(cancellationToken));
        }
        catch (DbUpdateException)
        {
            services.Db.ChangeTracker.Clear();
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent change",
                detail: $"Environment '{operation.EnvironmentName}' changed while queuing the operation; try again.");
        }

        services.Queue.Notify();
        return Accepted(operation);
    }

    private static Accepted<OperationResponse> Accepted(StackOperation operation) =>
        TypedResults.Accepted($"/v1/operations/{operation.Id}", OperationResponse.From(operation));

    private static async Task<(string? Text, Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>? Problem)> ReadSpecAsync(
        HttpRequest request, bool required, EnvironmentServices services, CancellationToken cancellationToken)
    {
        var (text, unreadable) = await RequestBodies.ReadTextAsync(request, services.Options.Value.Limits.MaxRequestBodyBytes, services.Log, cancellationToken);
        switch (unreadable)
        {
            case ValidationProblem validation:
                return (null, validation);
            case ProblemHttpResult problem:
                return (null, problem);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return required
                ? (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing spec",
                    detail: "Send the environment spec as the request body (application/json or application/yaml)."))
                : (null, null);
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not null && !SpecContentTypes.Contains(mediaType))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Specs are accepted as {string.Join(", ", SpecContentTypes)}; got '{mediaType}'."));
        }

        return (text, null);
    }

    private static ValidationProblem Invalid(IEnumerable<SpecError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => $"{e.Message} {e.Fix}".Trim()).ToArray()),
            title: "The spec is invalid",
            detail: "Every problem found is listed under errors, by path in the spec.");

    private static ProblemHttpResult NameTaken(EnvironmentServices services, HttpRequest request, string name)
    {
        // Losing a name to another creator is the caller's conflict, not the service's error.
        LogNameTaken(services.Log, name, request.HttpContext.TraceIdentifier);
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Environment name taken",
            detail: $"A live environment named '{name}' already exists. Update it with PUT /v1/environments/{name}, or pick another name.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Create refused: a live environment named {Name} already exists (request {RequestId})")]
    private static partial void LogNameTaken(ILogger logger, string name, string requestId);

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Environment not found",
            detail: $"There is no environment named '{name}'.");

    /// <summary>Opaque list cursors: the last item's sort key, base64url-encoded.</summary>
    internal static class Cursor
    {
        public static string Encode(string name, string id) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}\n{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryDecode(string cursor, out string name, out string id)
        {
            name = id = "";
            try
            {
                var base64 = cursor.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\n');
                if (parts.Length != 2)
                {
                    return false;
                }

                (name, id) = (parts[0], parts[1]);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
