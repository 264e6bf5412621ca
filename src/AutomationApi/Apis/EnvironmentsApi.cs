using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Apis;

/// <summary>Everything the environments handlers need besides the lifecycle.</summary>
public sealed record EnvironmentServices(
    PlatformDbContext Db,
    SpecProtector Protector,
    IOptions<PlatformOptions> Options,
    ILoggerFactory Logs)
{
    /// <summary>The environments API's log.</summary>
    public ILogger Log => Logs.CreateLogger(typeof(EnvironmentsApi).FullName!);
}

/// <summary><c>/v1/environments</c>: create, list, read, update, destroy, preview, refresh and extend environments.</summary>
public static class EnvironmentsApi
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
        HttpRequest request, EnvironmentCommands commands, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        var (text, unreadable) = await ReadSpecAsync(request, required: true, services, cancellationToken);
        return unreadable ?? LifecycleResults.Queued(await commands.CreateAsync(text!, CallerOf(request), cancellationToken));
    }

    /// <summary>GET /v1/environments (answered from the read cache while fresh; the filter limits a caller to its team first).</summary>
    public static async Task<Results<SerializedJson<Page<EnvironmentSummary>>, ValidationProblem>> ListEnvironments(
        HttpContext context,
        EnvironmentReadCache cache,
        IOptions<PlatformOptions> options,
        string? team,
        string? tier,
        string? status,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken)
    {
        var (filter, invalid) = EnvironmentFilter.Read(context.User, team, tier, status, cursor, limit ?? options.Value.DefaultPageSize);
        return invalid ?? (Results<SerializedJson<Page<EnvironmentSummary>>, ValidationProblem>)new SerializedJson<Page<EnvironmentSummary>>(
            await EnvironmentReads.PageJsonAsync(context.RequestServices, cache, filter, cancellationToken));
    }

    /// <summary>GET /v1/environments/{name} (answered from the read cache while fresh; authorized on every request).</summary>
    [AuthorizesEnvironmentRead]
    public static async Task<Results<SerializedJson<EnvironmentResponse>, ProblemHttpResult>> GetEnvironment(
        string name, HttpContext context, EnvironmentReadCache cache, CancellationToken cancellationToken)
    {
        // Authorized against the environment this read found (another team's is not found), not by a lookup before it.
        var read = await EnvironmentReads.ReadAsync(context.RequestServices, cache, name, cancellationToken);
        return read?.Scope is not { } scope || !await EnvironmentAccess.CanReadAsync(context, scope)
            ? NotFound(name)
            : new SerializedJson<EnvironmentResponse>(read.Json);
    }

    /// <summary>PUT /v1/environments/{name}.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> UpdateEnvironment(
        string name, HttpRequest request, EnvironmentCommands commands, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        var (text, unreadable) = await ReadSpecAsync(request, required: true, services, cancellationToken);
        return unreadable ?? LifecycleResults.Queued(await commands.UpdateAsync(name, text!, CallerOf(request), cancellationToken));
    }

    /// <summary>
    /// DELETE /v1/environments/{name}[?force=true]. Repeating it (with or without a key) never queues a second
    /// destroy: while one is queued or running (and does at least what is asked: forced, when force is asked), the
    /// answer is that operation; once the environment is destroyed, the operation that destroyed it (200, nothing queued).
    /// </summary>
    /// <param name="name">The environment.</param>
    /// <param name="force">Destroy protected resources too (e.g. a prod database): they are unprotected first, and the
    /// operation records it. Without it, a destroy of a stack that holds protected resources is refused before anything is deleted.</param>
    /// <param name="commands">The lifecycle's requests.</param>
    /// <param name="cancellationToken">Request abort.</param>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, Ok<OperationResponse>, ProblemHttpResult>> DestroyEnvironment(
        string name, [FromQuery] bool? force, EnvironmentCommands commands, CancellationToken cancellationToken)
    {
        // (A forced destroy is another request than a plain one: a key reused across them is a mismatch, 422.)
        var destroy = await commands.DestroyAsync(name, force == true, cancellationToken);
        return destroy.Value switch
        {
            { Pending: true } pending => LifecycleResults.Accepted(pending.Operation),
            { } done => TypedResults.Ok(OperationResponse.From(done.Operation)),
            null => TypedResults.Problem(destroy.Problem!),
        };
    }

    /// <summary>POST /v1/environments/{name}/preview.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> PreviewEnvironment(
        string name, HttpRequest request, EnvironmentCommands commands, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        var (text, unreadable) = await ReadSpecAsync(request, required: false, services, cancellationToken);
        return unreadable ?? LifecycleResults.Queued(await commands.PreviewAsync(name, text, CallerOf(request), cancellationToken));
    }

    /// <summary>POST /v1/environments/{name}/refresh.</summary>
    [Idempotent]
    public static async Task<Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult>> RefreshEnvironment(
        string name, EnvironmentCommands commands, CancellationToken cancellationToken) =>
        LifecycleResults.Queued(await commands.RefreshAsync(name, cancellationToken));

    /// <summary>POST /v1/environments/{name}/extend.</summary>
    public static async Task<Results<Ok<EnvironmentResponse>, ValidationProblem, ProblemHttpResult>> ExtendEnvironment(
        string name, ExtendRequest body, EnvironmentCommands commands, [AsParameters] EnvironmentServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var extended = await commands.ExtendAsync(name, body.Ttl, cancellationToken);
        if (extended.Problem is { } refused)
        {
            return refused is HttpValidationProblemDetails invalid ? LifecycleResults.Validation(invalid) : TypedResults.Problem(refused);
        }

        return await EnvironmentReads.DescribeAsync(services.Db, services.Protector, name, cancellationToken) is { } response
            ? TypedResults.Ok(response)
            : NotFound(name);
    }

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

    private static Caller CallerOf(HttpRequest request) => new(request.HttpContext.User, request.HttpContext.TraceIdentifier);

    private static ProblemHttpResult NotFound(string name) => TypedResults.Problem(Refusals.EnvironmentNotFound(name));

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
