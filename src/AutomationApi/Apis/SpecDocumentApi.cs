using Microsoft.Net.Http.Headers;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;
using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// An environment's spec as a <c>platform/v1</c> document, in JSON or YAML by <c>Accept</c>, secrets masked as
/// <c>{ secret: { unchanged: true } }</c>: what GET returns, PUT accepts back unchanged. It is written from the parsed
/// spec (<see cref="SpecWriter"/>), not kept as sent: the secrets have to be masked anyway, and one canonical form
/// (durations in their largest whole unit, fields in the schema's order) reads the same whoever wrote the spec.
/// </summary>
public static class SpecDocumentApi
{
    /// <summary>The YAML media types a spec is written in (the first is the one responses carry).</summary>
    public static IReadOnlyList<string> YamlMediaTypes { get; } = ["application/yaml", "application/x-yaml", "text/yaml"];

    /// <summary>Maps <c>GET /v1/environments/{name}/spec</c>.</summary>
    public static IEndpointRouteBuilder MapSpecDocumentApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/environments/{name}/spec", GetSpecDocument).WithTags("Environments").WithName("GetEnvironmentSpec")
            .WithSummary("Get an environment's spec document")
            .WithDescription("The environment's spec as a platform/v1 document written from what was parsed, the same spec but not the same text (JSON, or YAML with Accept: application/yaml), " +
                             "secret values masked as { secret: { unchanged: true } }. Send it back with PUT, edited or not: masked secrets keep their stored values.")
            .Produces<string>(StatusCodes.Status200OK, "application/json", [.. YamlMediaTypes])
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireEnvironmentAccess();
        return app;
    }

    /// <summary>GET /v1/environments/{name}/spec.</summary>
    public static async Task<IResult> GetSpecDocument(string name, HttpRequest request, EnvironmentLookup environments, SpecProtector protector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(environments);
        ArgumentNullException.ThrowIfNull(protector);

        // The request's one read of the environment (the route's access filter read the same); authorized here too, as
        // GET /v1/environments/{name} with Accept: application/yaml answers from here without that filter.
        var record = await environments.FindAsync(name, cancellationToken);
        if (record is null || !await EnvironmentAccess.CanReadAsync(request.HttpContext, new EnvironmentScope(record.Team, record.Tier)) ||
            EnvironmentCompiler.Parse(protector.Unprotect(record.SpecText) ?? "").Spec is not { } spec)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Environment not found",
                detail: $"There is no environment named '{name}'.");
        }

        return PrefersYaml(request)
            ? TypedResults.Text(SpecWriter.ToYaml(spec), YamlMediaTypes[0])
            : TypedResults.Text(SpecWriter.ToJson(spec), "application/json");
    }

    /// <summary>
    /// On <c>GET /v1/environments/{name}</c>: a request that asks for YAML gets the spec document in YAML (ready to
    /// edit and PUT back) instead of the JSON description of the environment.
    /// </summary>
    public static async ValueTask<object?> YamlWhenAccepted(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (!PrefersYaml(http.Request) || http.Request.RouteValues["name"] is not string name)
        {
            return await next(context);
        }

        var services = http.RequestServices;
        return await GetSpecDocument(name, http.Request, services.GetRequiredService<EnvironmentLookup>(),
            services.GetRequiredService<SpecProtector>(), http.RequestAborted);
    }

    /// <summary>Whether the request's <c>Accept</c> ranks a YAML type above JSON (JSON wins ties and wildcards).</summary>
    public static bool PrefersYaml(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double Quality(Func<string, bool> matches) => accepted
            .Where(a => a.MediaType.Value is { } type && matches(type.ToLowerInvariant()))
            .Select(a => a.Quality ?? 1.0)
            .DefaultIfEmpty(0)
            .Max();

        var yaml = Quality(t => YamlMediaTypes.Contains(t));
        var json = Quality(t => t is "application/json" or "application/*" or "*/*" or "application/problem+json");
        return yaml > 0 && yaml > json;
    }
}
