using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// The OpenAPI document's security: one bearer scheme (an API key or an OIDC token) required by every operation but
/// the anonymous ones (health, readiness), and the <c>401</c> and <c>403</c> problems each guarded operation can answer.
/// </summary>
internal static class AuthOpenApi
{
    private const string Scheme = "bearer";

    /// <summary>Adds the transformers (register after the document's own, so its responses are kept).</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (plat_…, created by an admin with POST /v1/keys; the first admin key is printed on first start or " +
                              "set as Platform:Auth:BootstrapAdminKey) or, where configured, an OIDC token from the company's identity provider.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] }];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [];
                return Task.CompletedTask;
            }

            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", Problem(401, "No credentials, or the key or token is not valid, revoked or expired (WWW-Authenticate: Bearer)."));
            operation.Responses.TryAdd("403", Problem(403, "The caller's role may not do this (the problem names the role needed)."));
            return Task.CompletedTask;
        });
    }

    private static OpenApiResponse Problem(int status, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.Object },
                Example = new JsonObject { ["title"] = description.Split(',', '(')[0].Trim(), ["status"] = status, ["detail"] = description },
            },
        },
    };
}
