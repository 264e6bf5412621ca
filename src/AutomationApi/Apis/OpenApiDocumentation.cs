using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// What the OpenAPI document says beyond what the routes declare: the title and an introduction with a curl
/// walk-through, the spec's JSON Schema (the one <c>/v1/schemas/environment.json</c> serves, generated from the
/// parser) as the request body of every spec-carrying endpoint in JSON and YAML, and for each endpoint a real summary,
/// a description and the responses it can give, each with an example. Also: a <c>415</c> names the accepted types.
/// </summary>
public static class OpenApiDocumentation
{
    /// <summary>The component name of the spec schema.</summary>
    public const string SpecSchemaName = "EnvironmentSpec";

    private const string Intro = """
        Application teams get, change and throw away whole environments over HTTP. An environment is described by one
        spec (`apiVersion: platform/v1`, `kind: Environment`, YAML or JSON; its JSON Schema is at
        [`/v1/schemas/environment.json`](/v1/schemas/environment.json)); every change is a durable, asynchronous
        operation that the `pulumi` CLI executes. Errors are RFC 9457 problem details; a spec's problems are all listed at
        once under `errors`, by path.

        ## Walk-through

        Every request but `/healthz`, `/readyz` and this document sends `Authorization: Bearer <key>`: an API key from
        `POST /v1/keys` (admins; the first admin key is printed on the service's first start, or configured as
        `Platform:Auth:BootstrapAdminKey`) or, where configured, an OIDC token. Without one the answer is `401`.

        ```bash
        URL=http://localhost:5000
        AUTH="Authorization: Bearer $PLATFORM_TOKEN"
        # Create: 202 and the queued operation (Location: /v1/operations/op_…). The Content-Type is required.
        curl -sS -X POST $URL/v1/environments -H 'Content-Type: application/yaml' --data-binary @examples/checkout-staging.yaml -H "$AUTH"
        # Follow it: status, then its progress as Server-Sent Events (ends with the outcome)
        curl -sS $URL/v1/operations/op_… -H "$AUTH"
        curl -sS -N $URL/v1/operations/op_…/events -H "$AUTH"
        # Read the spec back (the same spec, rewritten: ttl 72h reads 3d; secrets masked as { secret: { unchanged: true } }), edit it, send it back
        curl -sS -H 'Accept: application/yaml' $URL/v1/environments/checkout-staging -H "$AUTH" > env.yaml
        curl -sS -X POST $URL/v1/environments/checkout-staging/preview -H 'Content-Type: application/yaml' --data-binary @env.yaml -H "$AUTH"
        curl -sS -X PUT $URL/v1/environments/checkout-staging -H 'Content-Type: application/yaml' --data-binary @env.yaml -H "$AUTH"
        # History: who asked for what, the outcome, how long it took, the plan diff it applied
        curl -sS $URL/v1/environments/checkout-staging/operations -H "$AUTH"
        # Throw it away
        curl -sS -X DELETE $URL/v1/environments/checkout-staging -H "$AUTH"
        ```

        `Idempotency-Key` on POST, PUT and DELETE makes a retry return the original operation. While the `pulumi` CLI
        cannot run, work that needs it is answered `503` (reading still works; `/readyz` says when it is back).
        """;

    private static readonly string[] SpecTypes = ["application/json", "application/yaml"];

    /// <summary>The spec's JSON Schema, converted once to OpenAPI schemas (the spec and its <c>$defs</c>).</summary>
    private static readonly Lazy<IDictionary<string, IOpenApiSchema>> SpecSchemas = new(ReadSpecSchemas);

    /// <summary>Registers the document and operation transformers, and the 415 problem's detail.</summary>
    public static IServiceCollection AddPlatformOpenApi(this IServiceCollection services, Action<OpenApiOptions>? configure = null)
    {
        services.AddOpenApi(options =>
        {
            configure?.Invoke(options);
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                Describe(operation, context);
                return Task.CompletedTask;
            });
        });

        // A 415 names what the endpoint accepts (spec endpoints name theirs in their own problem).
        services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && string.IsNullOrEmpty(context.ProblemDetails.Detail))
            {
                var accepted = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? AcceptedAt(context.HttpContext);
                context.ProblemDetails.Detail =
                    $"The request body's Content-Type '{context.HttpContext.Request.ContentType}' is not accepted here. Send it as {string.Join(" or ", accepted)}.";
                context.ProblemDetails.Extensions["accepted"] = accepted;
            }
        });
        return services;
    }

    // Routing itself answers 415 when no endpoint of the path accepts the body's type, before any endpoint is chosen:
    // the accepted types are then those of the endpoints the path and method would have matched.
    private static IReadOnlyList<string> AcceptedAt(HttpContext http)
    {
        var request = http.Request;
        foreach (var endpoint in http.RequestServices.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts &&
                endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase) == true &&
                endpoint.RoutePattern.RawText is { } pattern &&
                new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(pattern), [])
                    .TryMatch(request.Path, []))
            {
                return accepts.ContentTypes;
            }
        }

        return ["application/json"];
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Platform Automation API",
            Version = "v1",
            Summary = "Environments on golden paths: create, change, preview and destroy them with one spec.",
            Description = Intro,
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in SpecSchemas.Value)
        {
            document.Components.Schemas[name] = schema;
        }
    }

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is null || !Operations.TryGetValue(name, out var described))
        {
            return;
        }

        operation.Summary = described.Summary;
        operation.Description = described.Description;
        if (described.SpecBody is { } specBody)
        {
            operation.RequestBody = SpecRequestBody(context.Document, specBody);
        }

        // Exactly the responses this endpoint gives: the generated success bodies are kept, every error is replaced.
        var responses = new OpenApiResponses();
        foreach (var (status, text) in described.Responses)
        {
            var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (status < 400)
            {
                var generated = operation.Responses?.GetValueOrDefault(code) as OpenApiResponse ?? new OpenApiResponse();
                generated.Description = text;
                responses[code] = generated;
            }
            else
            {
                // The spec example fits only endpoints that take a spec; others get a generic problem.
                var example = status == StatusCodes.Status400BadRequest && described.SpecBody is null ? null : CommonExamples.GetValueOrDefault(status);
                responses[code] = Problem(status, text, example);
            }
        }

        operation.Responses = responses;
    }

    private static OpenApiRequestBody SpecRequestBody(OpenApiDocument? document, string description)
    {
        var example = SpecWriter.ToDocument(SpecParser.Parse(ExampleSpec).Spec!, maskSecrets: false);
        return new OpenApiRequestBody
        {
            Required = true,
            Description = description + " The body is the spec as YAML or JSON (the same schema); its JSON Schema is also served at /v1/schemas/environment.json.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [SpecTypes[0]] = new() { Schema = new OpenApiSchemaReference(SpecSchemaName, document), Example = example },
                [SpecTypes[1]] = new() { Schema = new OpenApiSchemaReference(SpecSchemaName, document), Example = JsonValue.Create(ExampleSpec) },
            },
        };
    }

    private static OpenApiResponse Problem(int status, string description, JsonObject? example)
    {
        var problem = example?.DeepClone() ?? new JsonObject
        {
            ["title"] = description.Split('.')[0],
            ["status"] = status,
            ["detail"] = description,
        };
        return new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object }, Example = problem },
            },
        };
    }

    private const string ExampleSpec = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: checkout-staging, team: payments, costCenter: cc-1234 }
        spec:
          tier: staging
          target: default
          ttl: 72h
          services:
            - name: api
              type: web
              image: registry.example.com/payments/checkout-api:1.4.2
              port: 8080
              host: checkout
              env: { LOG_LEVEL: info, PAYMENT_KEY: { secret: change-me } }
              uses: [orders-db, events]
              replicas: { min: 2, max: 6 }
          resources:
            - { name: orders-db, type: postgres, size: small }
            - { name: events, type: queue }
        """;

    private static readonly JsonObject InvalidExample = new()
    {
        ["title"] = "The spec is invalid",
        ["status"] = 400,
        ["detail"] = "Every problem found is listed under errors, by path in the spec.",
        ["errors"] = new JsonObject
        {
            ["spec.services[0].uses[2]"] = new JsonArray("'evnts' names no service or resource in this environment. Did you mean 'events'? Declare it, or use one of: ledger, orders-db, receipts, events."),
            ["spec.services[0].replicas.min"] = new JsonArray("min (500) is above the staging maximum of 10 replicas. Use a min between 1 and 10."),
        },
    };

    private static readonly JsonObject EngineExample = new()
    {
        ["title"] = "The deployment engine is unavailable",
        ["status"] = 503,
        ["detail"] = "This request needs the pulumi CLI, which cannot run: … Install it on the service's PATH or set Platform:PulumiPath (now 'pulumi'); /readyz reports when it is back. Nothing was queued.",
        ["missing"] = "pulumi",
        ["pulumiPath"] = "pulumi",
    };

    private static readonly JsonObject UnsupportedExample = new()
    {
        ["title"] = "Unsupported media type",
        ["status"] = 415,
        ["detail"] = "Specs are accepted as application/json, application/yaml, application/x-yaml, text/yaml; got 'text/plain'.",
    };

    private const string Invalid = "The spec (or request) is invalid: every problem is listed under errors, by path, with its fix.";
    private const string NotFound = "No environment has this name.";
    private const string TooLarge = "The body is larger than Platform:Limits:MaxRequestBodyBytes.";
    private const string Unsupported = "The Content-Type is not one this endpoint accepts; the problem names the accepted ones.";
    private const string KeyReused = "The Idempotency-Key was used before for another request (another query string or body).";
    private const string KeyReusedOrQuota = "The Idempotency-Key was used before for another request (another query string or body), or the change would pass the team's quota (the problem names the limit).";
    private const string KeyTooLong = "The Idempotency-Key is longer than 200 characters.";
    private const string EngineDown = "The pulumi CLI cannot run: nothing was queued. The problem names what is missing.";

    private static readonly Dictionary<int, JsonObject> CommonExamples = new()
    {
        [400] = InvalidExample,
        [415] = UnsupportedExample,
        [503] = EngineExample,
    };

    private static readonly Dictionary<string, Described> Operations = new(StringComparer.Ordinal)
    {
        ["CreateEnvironment"] = new("Create an environment",
            "Validates the spec (every problem at once), compiles it on the golden paths and queues its first deployment. The answer is the queued operation; follow it at its Location.",
            [(202, "Queued: the operation, with Location: /v1/operations/{id}."), (400, Invalid), (409, "A live environment already has this name."), (413, TooLarge), (415, Unsupported), (422, KeyReusedOrQuota), (503, EngineDown)],
            "The environment to create."),
        ["ListEnvironments"] = new("List environments",
            "Environments (live and destroyed) filtered by team, tier and status, by name, a page at a time: pass nextCursor as cursor for the next page.",
            [(200, "A page of environments and the cursor of the next one."), (400, "A filter, the cursor or the limit is invalid.")]),
        ["GetEnvironment"] = new("Get an environment",
            "Status, the spec as a platform/v1 document written from what was parsed (the same spec, not the same text: fields in the schema's order, durations in their largest whole unit, " +
            "so ttl: 72h reads 3d, no comments; secrets masked as { secret: { unchanged: true } }), plan summary, outputs (secrets masked), cost estimate, expiry and last operation. " +
            "With Accept: application/yaml the answer is the spec document alone, in YAML, ready to edit and PUT back.",
            [(200, "The environment (JSON), or its spec document (YAML, by Accept)."), (404, NotFound)]),
        ["GetEnvironmentSpec"] = new("Get an environment's spec document",
            "The spec as a platform/v1 document written from what was parsed (the same spec, not the same text: fields in the schema's order, durations in their largest whole unit, " +
            "so ttl: 72h reads 3d, no comments), JSON or YAML by Accept, secrets masked as { secret: { unchanged: true } }: send it back with PUT, edited or not, and masked secrets keep their values.",
            [(200, "The spec document."), (404, NotFound)]),
        ["UpdateEnvironment"] = new("Update an environment to a new spec",
            "Validates and compiles the new spec and queues an update. Secrets sent as { secret: { unchanged: true } } (as GET shows them) keep their stored values. The target cannot change.",
            [(202, "Queued: the update operation."), (400, Invalid), (404, NotFound), (409, "The environment is being destroyed, or the spec names another target."), (413, TooLarge), (415, Unsupported), (422, KeyReusedOrQuota), (503, EngineDown)],
            "The environment's new spec (its name must match the URL)."),
        ["DestroyEnvironment"] = new("Destroy an environment",
            "Queues a destroy (the record and its history stay). A stack holding protected resources (a prod database) is refused unless force=true, which unprotects them first and is recorded. " +
            "Repeating it returns the destroy already queued or running, or the one that destroyed the environment. While the engine is unavailable, an environment that never provisioned anything is purged at once.",
            [(202, "Queued: the destroy operation (or the one already queued or running)."), (200, "Already destroyed: the operation that did it; or, without the engine, the never-provisioned environment was purged."),
             (400, "force is not true or false, or the Idempotency-Key is longer than 200 characters."), (404, NotFound),
             (409, "The environment changed while its destroy was being queued; try again."), (422, KeyReused), (503, EngineDown)]),
        ["PreviewEnvironment"] = new("Preview a change",
            "What a candidate spec (the body), or the current spec (no body), would change, run in a scratch copy of the workspace so nothing deployed changes. The operation's result holds the engine steps, " +
            "the plan diff (resources added, removed, changed), the cost delta (estimated monthly before, after, delta) and advisory warnings.",
            [(202, "Queued: the preview operation; its result has steps, planDiff and costDelta."), (400, Invalid), (404, NotFound), (413, TooLarge), (415, Unsupported), (422, KeyReused), (503, EngineDown)],
            "Optional: the candidate spec to preview; without a body, the current spec is previewed."),
        ["RefreshEnvironment"] = new("Check for drift",
            "Queues a refresh: the stack's state is read back from the real resources; the result lists what drifted.",
            [(202, "Queued: the refresh operation."), (400, KeyTooLong), (404, NotFound), (422, KeyReused), (503, EngineDown)]),
        ["ExtendEnvironment"] = new("Extend an environment's lifetime",
            "Pushes expiresAt out to now + ttl (never earlier), within the tier's maximum lifetime. Needs no engine.",
            [(200, "The environment with its new expiry."), (400, "The ttl is not a duration, or passes the tier's maximum."), (404, NotFound), (409, "The environment is being destroyed."), (413, TooLarge), (415, Unsupported)]),
        ["GetEnvironmentHistory"] = new("List an environment's operations, newest first",
            "Every operation of the environment name, newest first: what asked for it (origin; actor once requests are authenticated), its outcome, duration and the plan diff it applied. Cursor-paged.",
            [(200, "A page of history entries and the cursor of the next one."), (400, "The cursor or the limit is invalid."), (404, NotFound)]),
        ["DeployService"] = new("Deploy a new image of one service",
            "An ordinary update that changes only that service's image (and, optionally, variables); preview: true queues an engine preview of it instead. The answer carries the plan diff.",
            [(202, "Queued: the operation, its plan diff and the images."), (400, "The image is not pinned, a variable is invalid, or the Idempotency-Key is longer than 200 characters."), (404, "No such environment or service."),
             (409, "The environment is being destroyed."), (413, TooLarge), (415, Unsupported), (422, KeyReusedOrQuota), (503, EngineDown)]),
        ["PromoteEnvironment"] = new("Promote images from another environment",
            "One update copying the images deployed in 'from' (all services both declare, or those named); the operation's origin is promote:<from>.",
            [(202, "Queued: the update operation."), (400, "The request is invalid (the problem names the field), or the Idempotency-Key is longer than 200 characters."), (404, "No such environment."),
             (409, "The environment is being destroyed, or the source has not finished its first deployment."), (413, TooLarge), (415, Unsupported), (422, KeyReusedOrQuota), (503, EngineDown)]),
        ["RollbackEnvironment"] = new("Roll back to an earlier deployment",
            "One update re-applying the spec of an earlier successful create or update (by operationId, or the one before the current); origin rollback:<id>.",
            [(202, "Queued: the update operation."), (400, "The operation is not a deployment of this environment, its spec fails today's guardrails, or the Idempotency-Key is longer than 200 characters."),
             (404, "No such environment."), (409, "The environment is being destroyed."), (413, TooLarge), (415, Unsupported), (422, KeyReusedOrQuota), (503, EngineDown)]),
        ["GetOperation"] = new("Get an operation",
            "State, attempts, error (code and message, secrets redacted) and result of one operation.",
            [(200, "The operation."), (404, "No operation has this id.")]),
        ["StreamOperationEvents"] = new("Stream an operation's progress",
            "Server-Sent Events of engine progress (resource steps, diagnostics, retries), resumable with Last-Event-ID, always ending with the outcome.",
            [(200, "text/event-stream of progress events."), (400, "Last-Event-ID is not the id of an event this stream sent."), (404, "No operation has this id.")]),
        ["CancelOperation"] = new("Cancel an operation",
            "Interrupts the engine, which finishes its in-flight resource operations first; force=true kills it at once.",
            [(202, "The cancel was requested."), (400, "force is not true or false."), (404, "No operation has this id."), (409, "The operation already finished.")]),
        ["GetGoldenPaths"] = new("List the golden paths",
            "Workload and resource types with exactly the options validation accepts for each, every tier's defaults and guardrails, and the deployment targets.",
            [(200, "The golden paths.")]),
        ["GetEnvironmentSchema"] = new("Get the spec's JSON Schema",
            "The JSON Schema (draft 2020-12) of platform/v1 specs, generated from the parser's field tables; point an editor at it for completion.",
            [(200, "The schema.")]),
        ["Liveness"] = new("Liveness", "Answers 200 while the process serves requests.", [(200, "Alive.")]),
        ["Readiness"] = new("Readiness", "Whether the database is reachable and the pulumi CLI runs; 503 names what is missing.",
            [(200, "Ready."), (503, "Not ready: the database or the pulumi CLI is missing.")]),
    };

    private sealed record Described(string Summary, string Description, (int Status, string Text)[] Responses, string? SpecBody = null);

    // The generated JSON Schema as OpenAPI 3.1 schemas, read by the OpenAPI library itself: the spec as
    // EnvironmentSpec, each $defs entry as EnvironmentSpec<Name>, references rewritten to the components.
    private static IDictionary<string, IOpenApiSchema> ReadSpecSchemas()
    {
        var schema = SpecSchema.Build();
        var defs = schema["$defs"]!.AsObject();
        schema.Remove("$defs");
        schema.Remove("$schema");
        var components = new JsonObject { [SpecSchemaName] = schema };
        foreach (var (name, def) in defs.ToList())
        {
            defs.Remove(name);
            components[ComponentName(name)] = def;
        }

        var text = components.ToJsonString();
        foreach (var name in components.Select(c => c.Key).Where(n => n != SpecSchemaName))
        {
            var original = name[SpecSchemaName.Length..];
            text = text.Replace($"\"#/$defs/{char.ToLowerInvariant(original[0])}{original[1..]}\"", $"\"#/components/schemas/{name}\"", StringComparison.Ordinal);
        }

        var document = new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "spec", ["version"] = "1" },
            ["paths"] = new JsonObject(),
            ["components"] = new JsonObject { ["schemas"] = JsonNode.Parse(text) },
        };
        var read = OpenApiDocument.Parse(document.ToJsonString(), "json");
        return read.Document?.Components?.Schemas
            ?? throw new InvalidOperationException($"The spec schema is not a valid OpenAPI schema: {string.Join("; ", read.Diagnostic?.Errors.Select(e => e.Message) ?? [])}");
    }

    private static string ComponentName(string def) => SpecSchemaName + char.ToUpperInvariant(def[0]) + def[1..];
}
