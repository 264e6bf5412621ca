using System.Net;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>Issue 13: the OpenAPI document is valid, titled, introduced, and describes each endpoint as it behaves.</summary>
public sealed class OpenApiDocumentTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_document_passes_the_OpenAPI_reader_without_errors_and_describes_every_endpoint()
    {
        using var factory = new PlatformFactory();
        var text = await factory.CreateClient().GetStringAsync("/openapi/v1.json", Cancel);

        var read = OpenApiDocument.Parse(text, "json");

        Assert.Empty(read.Diagnostic!.Errors);
        var document = read.Document!;
        Assert.Equal("Platform Automation API", document.Info.Title);
        Assert.Contains("curl -sS -X POST $URL/v1/environments -H 'Content-Type: application/yaml'", document.Info.Description, StringComparison.Ordinal);
        var operations = document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value))).ToList();
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.Summary), $"{o.Method} {o.Path} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.Description), $"{o.Method} {o.Path} has no description");
            Assert.DoesNotContain(o.Path.Trim('/'), o.Operation.Summary, StringComparison.Ordinal);
        });

        // Each endpoint lists its own responses: a read has no 415 or 422, a create has them and a 503; both need a
        // credential (401) and a role (403).
        var get = operations.Single(o => o.Operation.OperationId == "GetEnvironment").Operation;
        Assert.Equal(["200", "401", "403", "404"], get.Responses!.Keys.Order());
        var create = operations.Single(o => o.Operation.OperationId == "CreateEnvironment").Operation;
        Assert.Equal(["202", "400", "401", "403", "409", "413", "415", "422", "503"], create.Responses!.Keys.Order());
        Assert.NotNull(create.Responses["400"].Content!["application/problem+json"].Example);

        // The spec body: the generated spec schema, as JSON and as YAML, with examples.
        Assert.Equal(["application/json", "application/yaml"], create.RequestBody!.Content!.Keys.Order());
        var schema = (OpenApiSchemaReference)create.RequestBody.Content["application/yaml"].Schema!;
        Assert.Equal("EnvironmentSpec", schema.Reference.Id);
        Assert.NotNull(create.RequestBody.Content["application/json"].Example);
        var spec = document.Components!.Schemas!["EnvironmentSpec"];
        Assert.Equal(["apiVersion", "kind", "metadata", "spec"], spec.Properties!.Keys);
        Assert.Contains("EnvironmentSpecService", document.Components.Schemas.Keys);
    }

    [Fact]
    public async Task The_raw_document_has_no_string_typed_spec_body_and_enums_are_strings()
    {
        using var factory = new PlatformFactory();
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json", Cancel))!;

        var body = document["paths"]!["/v1/environments/"]?["post"]?["requestBody"] ?? document["paths"]!["/v1/environments"]!["post"]!["requestBody"]!;
        Assert.Equal("#/components/schemas/EnvironmentSpec", (string)body["content"]!["application/yaml"]!["schema"]!["$ref"]!);
    }

    [Theory]
    [InlineData("/v1/environments", "text/plain", "application/yaml")]
    [InlineData("/v1/environments/x/extend", "text/plain", "application/json")]
    public async Task A_415_names_the_accepted_content_types(string path, string contentType, string named)
    {
        using var factory = new PlatformFactory();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{\"ttl\":\"1d\"}", System.Text.Encoding.UTF8, contentType) };

        using var response = await factory.CreateClient().SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains(named, (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_endpoint_serves_the_generated_schema()
    {
        using var factory = new PlatformFactory();
        using var response = await factory.CreateClient().GetAsync("/v1/schemas/environment.json", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Platform.Components.SpecDocuments.SpecSchema.ToJson(), await response.Content.ReadAsStringAsync(Cancel));
    }
}
