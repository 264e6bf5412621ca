using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Marks an endpoint that queues an operation: a repeat with the same <c>Idempotency-Key</c> (scoped to the method
/// and path) and the same request replays the original operation; with a different request it is a <c>422</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute;

/// <summary>
/// The key a request carries, claimed by the first operation the request queues (<see cref="OperationQueue.Add"/>),
/// so the key is stored in the same transaction as that operation: of two racing retries, exactly one commits.
/// </summary>
public sealed class IdempotencyClaim
{
    private string? _key;
    private string? _hash;

    /// <summary>The operation the key was stored with in this request, if any.</summary>
    public string? OperationId { get; private set; }

    /// <summary>Arms the claim for a request's key (scoped key) and request fingerprint.</summary>
    internal void Arm(string key, string hash) => (_key, _hash) = (key, hash);

    /// <summary>Stores the key with <paramref name="operation"/> (unsaved, so it commits or fails with it); once per request.</summary>
    public void Attach(PlatformDbContext db, StackOperation operation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(operation);
        if (_key is null || OperationId is not null)
        {
            return;
        }

        OperationId = operation.Id;
        db.IdempotencyKeys.Add(new IdempotencyRecord { Key = _key, RequestHash = _hash!, OperationId = operation.Id, CreatedAt = now });
    }
}

/// <summary>
/// The <c>Idempotency-Key</c> contract for every endpoint marked <see cref="IdempotentAttribute"/>: a repeat within
/// <see cref="PlatformOptions.IdempotencyKeyRetention"/> with the same request (body and query) replays the original operation (<c>202</c>, the operation's current state; a
/// deployment's plan diff and images as first answered); a different request is a <c>422</c>; a key longer than
/// 200 characters a <c>400</c>. A request that loses a race (<c>409</c>) to a retry carrying its key replays the
/// winner's operation instead. Handlers know nothing of keys.
/// </summary>
internal sealed class IdempotencyFilter(
    IdempotencyClaim claim,
    IDbContextFactory<PlatformDbContext> dbFactory,
    IOptions<PlatformOptions> options,
    IOptions<JsonOptions> json,
    TimeProvider time,
    ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    /// <summary>The header.</summary>
    public const string Header = "Idempotency-Key";

    /// <summary>The longest key accepted.</summary>
    public const int MaxKeyLength = 200;

    /// <summary>Adds the filter to the endpoints of a group that carry <see cref="IdempotentAttribute"/>.</summary>
    public static EndpointFilterDelegate Factory(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        context.MethodInfo.GetCustomAttributes(typeof(IdempotentAttribute), false).Length > 0
            ? invocation => invocation.HttpContext.RequestServices.GetRequiredService<IdempotencyFilter>().InvokeAsync(invocation, next)
            : next;

    /// <summary>Documents the header on every endpoint that honours it.</summary>
    public static Task DocumentHeader(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentAttribute>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Repeats with the same key and request replay the original operation; a different request with the key is a 422.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = MaxKeyLength },
            });
        }

        return Task.CompletedTask;
    }

    /// <summary>Buffers the body of a keyed request, so the filter can read it after the endpoint's own binding did.</summary>
    public static Task BufferKeyedBodies(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Headers.ContainsKey(Header))
        {
            context.Request.EnableBuffering();
        }

        return next();
    }

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (request.Headers[Header].FirstOrDefault() is not { } key)
        {
            return await next(context);
        }

        if (key.Length > MaxKeyLength)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency key too long",
                detail: $"An Idempotency-Key has at most {MaxKeyLength} characters; a UUID is a good choice.");
        }

        var (body, unreadable) = await ReadBodyAsync(request);
        if (unreadable is not null)
        {
            return unreadable;
        }

        // A key is the caller's team's: another team reusing it (by chance or on purpose) neither replays this team's
        // operation, which would reveal it, nor gets a 422 for a request it never made.
        var team = context.HttpContext.User.TeamOf() ?? "-";
        var scoped = $"{team} {request.Method} {request.Path.Value?.TrimEnd('/')} {key}";
        var hash = Fingerprint(body!, request.Query);
        var cancellationToken = context.HttpContext.RequestAborted;
        if (await ReplayAsync(scoped, hash, body!, request, cancellationToken) is { } replay)
        {
            return replay;
        }

        claim.Arm(scoped, hash);
        var returned = await next(context);

        // Typed handlers return a union (Results<…>); what counts is the result inside it.
        var result = returned is INestedHttpResult nested ? nested.Result : returned;
        if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted } and IValueHttpResult { Value: { } value })
        {
            await RememberAsync(scoped, hash, value, cancellationToken);
        }
        else if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status409Conflict } &&
                 await ReplayAsync(scoped, hash, body!, request, cancellationToken) is { } raced)
        {
            // Lost a race to a retry with this key (the name was taken, the environment changed): its operation is the answer.
            return raced;
        }

        return returned;
    }

    /// <summary>The body (rewound for the handler), or the problem that answers the request instead.</summary>
    private async Task<(string? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request)
    {
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
        }

        var (text, problem) = await RequestBodies.ReadTextAsync(request, options.Value.Limits.MaxRequestBodyBytes, logger, request.HttpContext.RequestAborted);
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
        }

        return (text ?? "", problem);
    }

    /// <summary>
    /// What makes two requests the same (the method and path are part of the key): the body and the query
    /// (<c>DELETE …?force=true</c> is another request than a plain one). The body's hash, then <c>?</c> and the query's
    /// hash when there is a query, kept apart so that a mismatch can say which of the two differed. A request without
    /// a query has the fingerprint earlier releases stored for it: its body's hash.
    /// </summary>
    private static string Fingerprint(string body, IQueryCollection query) =>
        query.Count == 0 ? Hash(body) : $"{Hash(body)}?{Hash(CanonicalQuery(query))}";

    // Earlier releases hashed the body and the query together; a key stored by one (within its retention) still replays.
    private static bool IsLegacyFingerprint(string stored, string body, IQueryCollection query) =>
        query.Count > 0 && !stored.Contains('?', StringComparison.Ordinal) && stored == Hash(body + CanonicalQuery(query));

    private static string CanonicalQuery(IQueryCollection query) =>
        string.Join("&", query.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={string.Join(",", q.Value.Select(v => v?.ToLowerInvariant()))}"));

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The 422 detail for a key reused with another request: the method and path it was used for, and what differed,
    /// the query string or the body (a DELETE sends no body, so for it that is the query). A key stored by an earlier
    /// release with a query tells neither apart, and is said to differ in both.
    /// </summary>
    private static string Mismatch(string method, string path, string stored, string current, IQueryCollection query)
    {
        var (storedBody, storedQuery) = Split(stored);
        var (currentBody, currentQuery) = Split(current);
        var thisQuery = query.Count == 0 ? "none" : $"'?{string.Join("&", query.Select(q => $"{q.Key}={q.Value}"))}'";
        var differed = (storedBody == currentBody, storedQuery == currentQuery) switch
        {
            // A DELETE sends no body, so a fingerprint without a query part that still differs was stored by an
            // earlier release with the query folded into it: what differed is the query string.
            (false, true) when storedQuery is null && method == HttpMethods.Delete => $"another query string (this request's: {thisQuery})",
            (true, false) => $"another query string (this request's: {thisQuery})",
            (false, true) => "another body",
            _ => $"another query string and body (this request's query string: {thisQuery})",
        };
        return $"This Idempotency-Key was already used for a {method} {path} request with {differed}. A key stands for one request " +
               "(method, path, query string and body): repeat that request to get its answer, or use a new key for a new request.";

        static (string Body, string? Query) Split(string fingerprint) =>
            fingerprint.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? (fingerprint[..at], fingerprint[(at + 1)..]) : (fingerprint, null);
    }

    private async Task<IResult?> ReplayAsync(string key, string hash, string body, HttpRequest request, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var seen = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Key == key, cancellationToken);
        if (seen is null)
        {
            return null;
        }

        if (IdempotencyKeyCleanup.IsExpired(seen, time.GetUtcNow(), options.Value.IdempotencyKeyRetention))
        {
            // Past its retention the key is free again, whether or not the cleanup job got to it yet.
            await db.IdempotencyKeys.Where(k => k.Key == key && k.CreatedAt == seen.CreatedAt).ExecuteDeleteAsync(cancellationToken);
            return null;
        }

        if (seen.RequestHash != hash && !IsLegacyFingerprint(seen.RequestHash, body, request.Query))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused",
                detail: Mismatch(request.Method, request.Path.Value?.TrimEnd('/') ?? "/", seen.RequestHash, hash, request.Query));
        }

        var original = OperationResponse.From(await db.Operations.AsNoTracking().SingleAsync(o => o.Id == seen.OperationId, cancellationToken));
        var location = $"/v1/operations/{original.Id}";
        if (seen.ResponseJson is { } first && JsonNode.Parse(first) is JsonObject answer && answer.ContainsKey("operation"))
        {
            // A deployment's answer: what its plan changed and which images, as first answered, with the operation as it is now.
            answer["operation"] = JsonSerializer.SerializeToNode(original, json.Value.SerializerOptions);
            return TypedResults.Accepted(location, answer);
        }

        return TypedResults.Accepted(location, original);
    }

    /// <summary>
    /// Makes sure the key names the operation answered: one queued by this request is already stored with it; one
    /// it joined (a destroy under way) is stored now. A deployment's full answer is kept for its replays.
    /// </summary>
    private async Task RememberAsync(string key, string hash, object value, CancellationToken cancellationToken)
    {
        var answer = JsonSerializer.SerializeToNode(value, value.GetType(), json.Value.SerializerOptions) as JsonObject;
        var operationId = claim.OperationId ?? (string?)(answer?["operation"]?["id"] ?? answer?["id"]);
        var keepAnswer = answer?.ContainsKey("operation") == true;
        if (operationId is null || (claim.OperationId is not null && !keepAnswer))
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await db.IdempotencyKeys.SingleOrDefaultAsync(k => k.Key == key, cancellationToken);
        if (record is null)
        {
            db.IdempotencyKeys.Add(record = new IdempotencyRecord { Key = key, RequestHash = hash, OperationId = operationId, CreatedAt = time.GetUtcNow() });
        }
        else if (record.OperationId != operationId)
        {
            return;
        }

        record.ResponseJson = keepAnswer ? answer!.ToJsonString() : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A racing retry with this key stored it first; it names the same operation.
            logger.LogDebug("An Idempotency-Key was stored by a racing retry first");
        }
    }
}
