using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// Requests the framework cannot bind (a query value of the wrong kind, a body field of the wrong type, a field the
/// request does not take, no body) are answered with a problem naming the field and what it takes, never a bare 400,
/// and logged as a warning with the request id.
/// </summary>
public sealed class MalformedRequestTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string?, string, string, string> Cases => new()
    {
        { "GET", "/v1/environments?limit=abc", null, "limit", "Must be a whole number.", "The parameter 'limit' must be a whole number, not 'abc'." },
        { "GET", "/v1/audit?since=yesterday", null, "since", "Must be a date-time such as 2026-12-31T00:00:00Z.", "The parameter 'since' must be a date-time such as 2026-12-31T00:00:00Z, not 'yesterday'." },
        { "PUT", "/v1/quotas/payments", """{"dev":"two"}""", "dev", "Must be a whole number.", "The body's 'dev' must be a whole number." },
        { "PUT", "/v1/quotas/payments", """{"dev":2,"qa":1}""", "qa", "Unknown field.", "The body has a field 'qa' this request does not take. Remove it or check its spelling (fields are camelCase)." },
        { "POST", "/v1/keys", """{"name":"ci","team":"payments","role":"developer","expiresAt":"tomorrow"}""", "expiresAt", "Must be a date-time such as 2026-12-31T00:00:00Z.", "The body's 'expiresAt' must be a date-time such as 2026-12-31T00:00:00Z." },
        { "POST", "/v1/keys", """{"name":"ci","team":"payments","role":"developer","expires":"2026-12-04T00:00:00Z"}""", "expires", "Unknown field.", "The body has a field 'expires' this request does not take. Remove it or check its spelling (fields are camelCase)." },
        { "POST", "/v1/webhooks", """{"url":"https://hooks.example.com/x","event":["operation.failed"]}""", "event", "Unknown field.", "The body has a field 'event' this request does not take. Remove it or check its spelling (fields are camelCase)." },
        { "POST", "/v1/webhooks", """{"url":"https://hooks.example.com/x","events":"operation.failed"}""", "events", "Must be a list.", "The body's 'events' must be a list." },
        { "POST", "/v1/environments/shop-dev/services/api/deploy", """{"image":"registry.example.com/a/b:1.0.0","env":["A=1"]}""", "env", "Must be an object.", "The body's 'env' must be an object." },
    };

    [Theory]
    [InlineData("PUT", "/v1/quotas/payments", "[1]")]
    [InlineData("POST", "/v1/environments/shop-dev/extend", "\"48h\"")]
    public async Task A_body_of_the_wrong_shape_is_asked_to_be_an_object(string method, string path, string body)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await factory.CreateClient().SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = await PlatformFactory.ReadAsync(response);
        Assert.Equal("The body must be a JSON object with this request's fields (see the OpenAPI document).", (string?)answer["detail"]);
        Assert.DoesNotContain("Platform.", answer.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_schemas_stay_open_and_request_schemas_are_closed()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());

        var schemas = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/openapi/v1.json", Cancel))!["components"]!["schemas"]!.AsObject();

        // A response may gain fields (problems carry traceId, errors, requiredRole …); a request takes only its own.
        foreach (var response in new[] { "EnvironmentResponse", "OperationResponse", "ProblemDetails" })
        {
            Assert.True(schemas.ContainsKey(response), response);
            Assert.Null(schemas[response]!["additionalProperties"]);
        }

        Assert.Equal(false, (bool?)schemas["QuotaRequest"]!["additionalProperties"]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_value_that_does_not_bind_is_a_problem_naming_the_field(string method, string path, string? body, string field, string problem, string detail)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await factory.CreateClient().SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var answer = await PlatformFactory.ReadAsync(response);
        Assert.Equal("Malformed request", (string?)answer["title"]);
        Assert.Equal(detail, (string?)answer["detail"]);
        Assert.Equal([problem], answer["errors"]![field]!.AsArray().Select(e => (string?)e));
        Assert.DoesNotContain("System.", answer.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Platform.", answer.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(detail, StringComparison.Ordinal) &&
            l.Contains("(request ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelt_quota_field_changes_nothing_stored()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/quotas/payments", new { dev = 3, prod = 1 }, Cancel)).StatusCode);

        using var refused = await admin.PutAsync("/v1/quotas/payments", new StringContent("""{"dev":2,"qa":1}""", Encoding.UTF8, "application/json"), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var limits = (await admin.GetFromJsonAsync<JsonObject>("/v1/quotas/payments", Cancel))!["limits"]!;
        Assert.Equal(3, (int?)limits["dev"]);
        Assert.Equal(1, (int?)limits["prod"]);
    }

    [Fact]
    public async Task A_request_without_its_body_says_it_needs_one()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());

        using var response = await factory.CreateClient().PostAsync("/v1/environments/nowhere-dev/extend", new StringContent("", Encoding.UTF8, "application/json"), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = await PlatformFactory.ReadAsync(response);
        Assert.StartsWith("This request needs a JSON body", (string?)answer["detail"], StringComparison.Ordinal);
    }
}
