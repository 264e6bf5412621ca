using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Audit;

/// <summary>
/// What a request's own code knows for its audit entry (the environment and operation it queued, a short detail),
/// and who made it. Scoped to the request; outside one (the reaper, recovery) nothing is recorded here.
/// </summary>
public sealed class RequestAudit
{
    /// <summary>The request (set by <see cref="AuditMiddleware"/>).</summary>
    internal HttpContext? Context { get; set; }

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
}

/// <summary>
/// Writes an audit entry for every mutating request to <c>/v1/…</c> (POST, PUT, PATCH, DELETE), refused ones included
/// (401, 403, 404, 409, 422, ...), with its answer's status. Wraps the whole pipeline (authentication included, so a
/// 401 is seen) and writes just before the answer starts, so a caller that got its answer finds its entry.
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider time, ILogger<AuditMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!IsAudited(context.Request))
        {
            return next(context);
        }

        var audit = context.RequestServices.GetRequiredService<RequestAudit>();
        audit.Context = context;
        context.Response.OnStarting(() => WriteAsync(context, audit));
        return next(context);
    }

    private static bool IsAudited(HttpRequest request) =>
        request.Path.StartsWithSegments("/v1", StringComparison.Ordinal) &&
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));

    private async Task WriteAsync(HttpContext context, RequestAudit audit)
    {
        try
        {
            var user = context.User;
            var route = context.Request.RouteValues;
            var endpoint = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            var operationId = audit.OperationId ?? (route["id"] is string id && id.StartsWith("op_", StringComparison.Ordinal) ? id : null);
            var environment = audit.Environment ?? route["name"] as string;
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            if (environment is null && operationId is not null)
            {
                environment = await db.Operations.AsNoTracking().Where(o => o.Id == operationId).Select(o => o.EnvironmentName).FirstOrDefaultAsync(CancellationToken.None);
            }

            db.AuditLog.Add(new AuditEntry
            {
                At = time.GetUtcNow(),
                Actor = AuditLog.Cut(user.ActorOf(), 300),
                Team = AuditLog.Cut(user.TeamOf(), 100),
                Role = user.RoleOf() is { } role ? PlatformRoles.Name(role) : null,
                Action = endpoint is null ? "request" : ActionOf(endpoint),
                Environment = AuditLog.Cut(environment, 100),
                OperationId = operationId,
                RequestId = AuditLog.Cut(context.TraceIdentifier, 100),
                IdempotencyKey = AuditLog.Cut(context.Request.Headers[Apis.IdempotencyFilter.Header].FirstOrDefault(), AuditLog.MaxIdempotencyKeyLength),
                Result = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),

                // Without an endpoint (no such route), the method and path say what was tried; never the query string.
                Detail = AuditLog.Cut(audit.Detail ?? (endpoint is null ? $"{context.Request.Method} {context.Request.Path}" : null)),
            });
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
