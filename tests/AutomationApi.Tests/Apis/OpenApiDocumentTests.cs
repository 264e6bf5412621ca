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

    /// <summary>
    /// Every status a malformed request draws from an endpoint is among the responses the document declares for it.
    /// The probes are derived from the document itself, so a new endpoint is probed too: a body of a type it does not
    /// accept (415), a body over the size limit (413, through Kestrel, which enforces it for bound JSON bodies), each
    /// query and header parameter with a value no such parameter takes (400 for a non-text one), and an
    /// Idempotency-Key over its limit (400). The probes reach no handler that changes anything.
    /// </summary>
    [Fact]
    public async Task Every_status_a_malformed_request_draws_is_declared_in_the_document()
    {
        const int Limit = 4096;
        using var factory = new PlatformFactory(configure: s => s["Platform:Limits:MaxRequestBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            engine: new InMemoryStackEngine());
        var server = factory.StartKestrel();
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new("Bearer", PlatformFactory.AdminKey);

        // A real environment and operation, so probes of them get past "not found" to the value they carry.
        using var created = await client.PostAsync("/v1/environments", new StringContent(Specs.Dev("probe-dev"), System.Text.Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Cancel))!;

        var undeclared = new List<string>();
        var unexpected = new List<string>();
        var probes = 0;
        foreach (var (template, pathItem) in document["paths"]!.AsObject())
        {
            var path = System.Text.RegularExpressions.Regex.Replace(template, "{(?<name>[^}]+)}", m => m.Groups["name"].Value switch
            {
                "name" => "probe-dev",
                "service" => "api",
                "team" => "payments",
                "id" when template.StartsWith("/v1/operations/", StringComparison.Ordinal) => operationId,
                _ => "probe",
            });
            foreach (var (method, node) in pathItem!.AsObject().Where(o => o.Value?["responses"] is not null))
            {
                var declared = node!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
                var parameters = node["parameters"]?.AsArray().Select(p => p!).ToList() ?? [];
                var accepted = node["requestBody"]?["content"]?.AsObject().Select(c => c.Key).FirstOrDefault();

                void Record(string what, int? expected, int status, string body)
                {
                    probes++;
                    var line = $"{method.ToUpperInvariant()} {template} with {what}: {status} {body}";
                    if (!declared.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        undeclared.Add($"{line} (declared: {string.Join(", ", declared.Order(StringComparer.Ordinal))})");
                    }

                    if (expected is { } want && status != want)
                    {
                        unexpected.Add($"{line} (expected {want})");
                    }
                }

                async Task Probe(string what, int? expected, Func<HttpRequestMessage, HttpRequestMessage> shape, string query = "")
                {
                    using var request = shape(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path + query));
                    using var response = await client.SendAsync(request, Cancel);
                    Record(what, expected, (int)response.StatusCode, await response.Content.ReadAsStringAsync(Cancel));
                }

                if (accepted is not null)
                {
                    await Probe("a text/plain body", 415, r => With(r, new StringContent("{}", System.Text.Encoding.UTF8, "text/plain")));

                    // Raw, read while written: the server answers before it reads the body and closes the connection.
                    var head = $"{method.ToUpperInvariant()} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {PlatformFactory.AdminKey}\r\n" +
                               $"Content-Type: {accepted}\r\nContent-Length: {Limit + 1000}\r\n\r\n";
                    var tooLarge = await Fuzz.RawHttp.SendAsync(server, [.. System.Text.Encoding.ASCII.GetBytes(head), .. new byte[Limit + 1000].Select(_ => (byte)' ')], TimeSpan.FromSeconds(60), Cancel);
                    Record($"a {accepted} body over the limit", 413, tooLarge.Status, tooLarge.Body);
                }

                foreach (var parameter in parameters)
                {
                    var (name, location) = ((string)parameter["name"]!, (string)parameter["in"]!);
                    var text = parameter["schema"]?["type"] is { } type && type.ToJsonString().Contains("string", StringComparison.Ordinal);
                    var body = accepted is null ? null : new StringContent("{}", System.Text.Encoding.UTF8, accepted);
                    if (name == "Idempotency-Key")
                    {
                        await Probe("an Idempotency-Key over its limit", 400, r => Header(With(r, body), name, new string('k', 201)));
                    }
                    else if (location == "query")
                    {
                        await Probe($"{name}=not-a-value", text ? null : 400, r => With(r, body), $"?{name}=not-a-value");
                    }
                    else if (location == "header")
                    {
                        await Probe($"{name}: not-a-value", text ? null : 400, r => Header(With(r, body), name, "not-a-value"));
                    }
                }
            }
        }

        Assert.True(probes > 40, $"Only {probes} probes ran: the document lists fewer endpoints than expected.");
        Assert.True(undeclared.Count == 0, string.Join("\n", undeclared));
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));

        static HttpRequestMessage With(HttpRequestMessage request, HttpContent? content)
        {
            request.Content = content;
            return request;
        }

        static HttpRequestMessage Header(HttpRequestMessage request, string name, string value)
        {
            request.Headers.TryAddWithoutValidation(name, value);
            return request;
        }
    }

    [Fact]
    public async Task Every_endpoint_that_honours_an_Idempotency_Key_declares_the_422_of_a_reused_one()
    {
        using var factory = new PlatformFactory();
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json", Cancel))!;

        var keyed = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Name: $"{o.Key.ToUpperInvariant()} {p.Key}", Operation: o.Value!)))
            .Where(o => o.Operation["parameters"]?.AsArray().Any(p => (string?)p!["name"] == "Idempotency-Key") == true)
            .ToList();

        Assert.Equal(8, keyed.Count);
        Assert.All(keyed, o => Assert.True(o.Operation["responses"]!.AsObject().ContainsKey("422"), $"{o.Name} does not declare 422"));
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
