using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Audit;

/// <summary>
/// What a request's own code knows for its audit entry (the environment and operation it queued, a short detail),
/// and who made it. Scoped to the request; outside one (the reaper, recovery) nothing is recorded here. A request
/// that queues an operation has its entry saved with the operation, in the same transaction
/// (<see cref="StageWith"/>); every other request's entry is written by <see cref="AuditMiddleware"/>.
/// </summary>
public sealed class RequestAudit
{
    /// <summary>What a request that queued an operation answers once its unit of work is saved.</summary>
    internal const int QueuedStatus = StatusCodes.Status202Accepted;

    private AuditEntry? _staged;

    /// <summary>The request (set by <see cref="AuditMiddleware"/>).</summary>
    internal HttpContext? Context { get; set; }

    /// <summary>Whether the request's entry was written or is being written on its own (by the middleware).</summary>
    internal bool Written { get; set; }

    /// <summary>Who made the request, once authenticated: <c>key:&lt;id&gt;</c> or <c>oidc:&lt;subject&gt;</c>.</summary>
    public string? Actor => Context?.User.ActorOf();

    /// <summary>The environment the request concerns, when the route does not name it (a create).</summary>
    public string? Environment { get; set; }

    /// <summary>The (first) operation the request queued.</summary>
    public string? OperationId { get; set; }

    /// <summary>A short, secret-free detail for the entry.</summary>
    public string? Detail { get; set; }

    /// <summary>Notes an operation the request queued (the first one is the entry's).</summary>
    public void Queued(StackOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Environment ??= operation.EnvironmentName;
        OperationId ??= operation.Id;
    }

    /// <summary>
    /// Notes an operation the request queued in <paramref name="db"/>'s unit of work: the request's entry is then
    /// saved by that unit of work, with the operation (<see cref="StageWith"/>), instead of on its own.
    /// </summary>
    internal void Queued(StackOperation operation, PlatformDbContext db)
    {
        Queued(operation);
        if (Context is not null)
        {
            db.AuditedRequest = this;
        }
    }

    /// <summary>
    /// Whether the entry saved with the request's own changes says what the request answered: it was committed (the
    /// database numbered it) and the answer is what it recorded. Otherwise the middleware writes the answer's own entry.
    /// </summary>
    internal bool CommittedAs(int status) =>
        _staged is { Sequence: > 0 } staged && staged.Result == status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds the request's entry to <paramref name="db"/>'s unit of work when it is saving the operation the request
    /// queued (called by its save): entry, operation and the rest commit together or not at all. Its result is the
    /// <c>202</c> such a request answers once saved; an answer that turns out otherwise gets its own entry as well.
    /// </summary>
    internal void StageWith(PlatformDbContext db)
    {
        if (Context is not { } context || OperationId is not { } operationId || Written)
        {
            return;
        }

        if (_staged is not null && (_staged.Sequence > 0 || db.Entry(_staged).State == EntityState.Added))
        {
            return; // already committed, or staged in this save (a retried save)
        }

        if (!db.ChangeTracker.Entries<StackOperation>().Any(e => e.State == EntityState.Added && e.Entity.Id == operationId))
        {
            return;
        }

        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        _staged = AuditMiddleware.EntryOf(context, this, now, QueuedStatus, operationId, Environment ?? context.Request.RouteValues["name"] as string);
        db.AuditLog.Add(_staged);
    }
}

/// <summary>
/// Writes an audit entry for every mutating request to <c>/v1/…</c> (POST, PUT, PATCH, DELETE), refused ones included
/// (401, 403, 404, 409, 422, ...), with its answer's status. Wraps the whole pipeline (authentication included, so a
/// 401 is seen). A request that queued an operation had its entry committed with the operation
/// (<see cref="RequestAudit.StageWith"/>): nothing more is written for it when it answers as recorded. Every other
/// entry is written just before the answer starts, on a unit of work of its own, so a caller that got its answer
/// finds its entry; a failure to write it is logged and never changes the answer. A request whose handler threw
/// before any answer started is recorded as the <c>500</c> it becomes.
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsAudited(context.Request))
        {
            await next(context);
            return;
        }

        var audit = context.RequestServices.GetRequiredService<RequestAudit>();
        audit.Context = context;
        context.Response.OnStarting(() => WriteAsync(context, audit, context.Response.StatusCode));
        try
        {
            await next(context);
        }
        catch when (!context.Response.HasStarted)
        {
            // Nothing answered yet (the exception handler did not take it): the server answers 500, maybe without
            // running the callbacks above. Recorded as that, then left to the server.
            await WriteAsync(context, audit, StatusCodes.Status500InternalServerError);
            throw;
        }
    }

    private static bool IsAudited(HttpRequest request) =>
        request.Path.StartsWithSegments("/v1", StringComparison.Ordinal) &&
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));

    /// <summary>
    /// The entry of a request answered <paramref name="status"/>: who, what (the endpoint's action), the environment
    /// and operation it concerns, its request id and idempotency key, and the detail its code gave.
    /// </summary>
    internal static AuditEntry EntryOf(HttpContext context, RequestAudit audit, DateTimeOffset at, int status, string? operationId, string? environment)
    {
        var user = context.User;
        // After an exception the handler answered (a 409, a quota's 422), the endpoint is the failed request's.
        var failed = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
        var endpoint = (context.GetEndpoint() ?? failed?.Endpoint)?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        return new AuditEntry
        {
            At = at,
            Actor = AuditLog.Cut(user.ActorOf(), 300),
            Team = AuditLog.Cut(user.TeamOf(), 100),
            Role = user.RoleOf() is { } role ? PlatformRoles.Name(role) : null,
            Action = endpoint is null ? "request" : ActionOf(endpoint),
            Environment = AuditLog.Cut(environment, 100),
            OperationId = operationId,
            RequestId = AuditLog.Cut(context.TraceIdentifier, 100),
            IdempotencyKey = AuditLog.Cut(context.Request.Headers[Apis.IdempotencyFilter.Header].FirstOrDefault(), AuditLog.MaxIdempotencyKeyLength),
            Result = status.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // Without an endpoint (no such route), the method and path say what was tried; never the query string.
            Detail = AuditLog.Cut(audit.Detail ?? (endpoint is null ? $"{context.Request.Method} {context.Request.Path}" : null)),
        };
    }

    private async Task WriteAsync(HttpContext context, RequestAudit audit, int status)
    {
        if (audit.Written || audit.CommittedAs(status))
        {
            return;
        }

        audit.Written = true;
        try
        {
            var failed = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
            var route = failed?.RouteValues ?? context.Request.RouteValues;

            // An operation queued by a request that was then refused (a lost race, a quota) was never saved. The
            // environment of an operation named by the route is the one the route's access filter found (none for a
            // caller refused before it: an unknown caller's guess is not looked up).
            var queued = status < 400 ? audit.OperationId : null;
            var operationId = queued ?? (route?["id"] is string id && id.StartsWith("op_", StringComparison.Ordinal) ? id : null);
            var environment = audit.Environment ?? route?["name"] as string;
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.AuditLog.Add(EntryOf(context, audit, time.GetUtcNow(), status, operationId, environment));
            await db.SaveChangesAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // The answer goes out whatever happens to its audit entry; the failure is logged as an error.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogWriteFailed(logger, error, context.Request.Method, context.Request.Path, context.TraceIdentifier);
        }
    }

    /// <summary>
    /// An endpoint's action, from its name (verb first, then what it acts on): <c>CreateEnvironment</c> →
    /// <c>environment.create</c>, <c>RevokeKey</c> → <c>key.revoke</c>, <c>DeployService</c> → <c>service.deploy</c>.
    /// </summary>
    internal static string ActionOf(string endpointName)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in endpointName)
        {
            if (char.IsUpper(c) && word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }

            word.Append(char.ToLowerInvariant(c));
        }

        words.Add(word.ToString());
        return words.Count == 1 ? words[0] : $"{string.Join('-', words.Skip(1))}.{words[0]}";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit entry of {Method} {Path} (request {RequestId})")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string method, string path, string requestId);
}
