using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// <c>/v1/schemas</c>: the JSON Schema of environment specs, generated from the parser's own model, for editors
/// (YAML and JSON completion) and for checking a spec before sending it.
/// </summary>
public static class SchemasApi
{
    /// <summary>The media type the schema is served as.</summary>
    public const string SchemaMediaType = "application/schema+json";

    private static readonly Lazy<string> Environment = new(SpecSchema.ToJson);

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapSchemasApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/schemas").WithTags("Schemas")
            .MapGet("/environment.json", GetEnvironmentSchema).WithName("GetEnvironmentSchema")
            .WithSummary("Get the environment spec's JSON Schema")
            .WithDescription("The JSON Schema (draft 2020-12) of platform/v1 environment specs, generated from the parser's field tables, " +
                             "so it always matches what the service accepts. Point an editor at it for completion, e.g. with the YAML " +
                             "language server: `# yaml-language-server: $schema=<service URL>/v1/schemas/environment.json`. It checks the " +
                             "shape of a spec; the semantic rules (names, references, guardrails) are checked on POST and PUT.")
            .Produces<string>(StatusCodes.Status200OK, SchemaMediaType);
        return app;
    }

    /// <summary>GET /v1/schemas/environment.json.</summary>
    public static IResult GetEnvironmentSchema() => TypedResults.Text(Environment.Value, SchemaMediaType);
}
