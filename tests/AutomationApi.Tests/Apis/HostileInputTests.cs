using System.Net;
using System.Text;
using Platform.AutomationApi.Tests.Fuzz;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// Issue 11: one request must never kill, stall or corrupt the service. Each case went through the real pipeline and
/// failed before its fix: a stack overflow (which ends the test host and so the run, loudly), a 500, a compile
/// before a cheap refusal, or a raw body accepted past any size.
/// </summary>
public sealed class HostileInputTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/json")]
    public async Task A_document_nested_100000_deep_is_a_400_and_the_service_lives_on(string contentType)
    {
        const int Depth = 100_000;
        var nested = new string('[', Depth) + new string(']', Depth);
        var body = contentType == "application/yaml"
            ? $"apiVersion: platform/v1\nkind: Environment\nspec: {nested}\n"
            : $"{{\"apiVersion\":\"platform/v1\",\"spec\":{nested}}}";
        Assert.True(body.Length > 200_000);
        using var factory = new PlatformFactory();

        using var response = await factory.PostSpecAsync(body, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await PlatformFactory.ReadAsync(response);
        var (path, messages) = Assert.Single(problem["errors"]!.AsObject());
        Assert.StartsWith("spec[0][0]", path, StringComparison.Ordinal);
        Assert.Contains("nests deeper than 64 levels", (string)messages![0]!, StringComparison.Ordinal);
        using var health = await factory.CreateClient().GetAsync("/healthz", Cancel);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"\\ud800\"}", "apiVersion")]
    [InlineData("{\"apiVersion\":\"platform/v1\",\"metadata\":{\"name\":\"a\\udc00\"}}", "metadata.name")]
    [InlineData("{\"apiVersion\":\"platform/v1\",\"metadata\":{\"na\\ud800me\":\"a\"}}", "metadata")]
    public async Task A_lone_surrogate_escape_is_a_400_with_its_path(string body, string path)
    {
        using var factory = new PlatformFactory();

        using var response = await factory.PostSpecAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await PlatformFactory.ReadAsync(response))["errors"]!.AsObject();
        Assert.Contains("surrogate", (string)errors[path]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_a_400_naming_the_byte()
    {
        using var factory = new PlatformFactory();
        var spec = Encoding.UTF8.GetBytes(Specs.Dev("bytes-dev"));
        byte[] body = [.. spec.AsSpan(0, 10), 0xED, 0xA0, 0x80, .. spec.AsSpan(10)];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/yaml");

        using var response = await factory.CreateClient().PostAsync("/v1/environments", content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (string)(await PlatformFactory.ReadAsync(response))["errors"]!["body"]![0]!;
        Assert.StartsWith("Byte 10 (line 1", message, StringComparison.Ordinal);

        // Only the start-up check's `pulumi version` ran: the malformed body reached no engine command.
        Assert.DoesNotContain(factory.Fake.Calls, c => c != "version");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("99999999999999999999999")]
    [InlineData("[8080]")]
    [InlineData("\"8080\"")]
    public async Task Numbers_no_field_holds_and_wrong_types_are_400s_at_the_field(string port)
    {
        using var factory = new PlatformFactory();
        var body = Specs.DevJson("numbers-dev").Replace("\"port\": 8080", $"\"port\": {port}", StringComparison.Ordinal);

        using var response = await factory.PostSpecAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await PlatformFactory.ReadAsync(response))["errors"]!.AsObject().ContainsKey("spec.services[0].port"));
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413_problems_declared_or_streamed()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:Limits:MaxRequestBodyBytes"] = "2000");
        var client = factory.CreateClient();
        var body = Specs.Dev("big-dev") + "\n# " + new string('x', 2_000) + "\n";

        using var declared = await factory.PostSpecAsync(body);
        using var streamed = await client.PutAsync("/v1/environments/big-dev", Streamed(body), Cancel);
        using var preview = await client.PostAsync("/v1/environments/big-dev/preview", Streamed(body), Cancel);

        foreach (var response in new[] { declared, streamed, preview })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("at most 2000 bytes", (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
        }

        using var small = await factory.PostSpecAsync(Specs.Dev("big-dev"));
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);

        static StreamContent Streamed(string text)
        {
            // No Content-Length: the body arrives chunked, so only counting while reading can stop it.
            var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(text)));
            content.Headers.ContentType = new("application/yaml");
            return content;
        }
    }

    [Fact]
    public async Task Kestrel_refuses_oversized_bodies_on_every_endpoint_with_a_413_problem()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:Limits:MaxRequestBodyBytes"] = "4096");
        var server = factory.StartKestrel();
        var extend = Encoding.UTF8.GetBytes("{\"ttl\":\"" + new string('1', 5_000) + "h\"}");
        var request = Encoding.UTF8.GetBytes($"POST /v1/environments/any/extend HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                                             $"Content-Type: application/json\r\nContent-Length: {extend.Length}\r\n\r\n");

        var response = await RawHttp.SendAsync(server, [.. request, .. extend], TimeSpan.FromSeconds(60), Cancel);

        Assert.True(response.Status == 413, $"{response.Status}: {response.Body}");
        Assert.True(response.IsProblem, response.Body);
    }

    [Fact]
    public async Task Specs_over_the_service_or_resource_limit_are_refused_before_they_are_validated_or_compiled()
    {
        using var factory = new PlatformFactory(configure: s =>
        {
            s["Platform:Limits:MaxServices"] = "3";
            s["Platform:Limits:MaxResources"] = "1";
        });

        // Every service also has an error only validation finds ('latest'): the only answer is the limit.
        using var response = await factory.PostSpecAsync(ManyServices("limits-dev", services: 4, resources: 2, image: "registry.example.com/a/b:latest"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(response))["errors"]!.AsObject();
        Assert.Equal(["spec.resources", "spec.services"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("4 services exceed the limit of 3", (string)errors["spec.services"]![0]!, StringComparison.Ordinal);
        Assert.Contains("Platform:Limits:MaxServices", (string)errors["spec.services"]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_6400_service_spec_for_an_environment_that_does_not_exist_is_a_404_without_compiling()
    {
        using var factory = new PlatformFactory();

        // ~0.8 MB, as in the issue (16–18 s and 1.4 GB to compile, then a 404). The 'latest' images would fail
        // validation: a 404 shows that existence is checked first.
        var spec = ManyServices("absent-dev", services: 6_400, resources: 0, image: "registry.example.com/a/b:latest");
        Assert.InRange(spec.Length, 500_000, 1_000_000);
        var client = factory.CreateClient();

        using var update = await client.PutAsync("/v1/environments/absent-dev", new StringContent(spec, Encoding.UTF8, "application/yaml"), Cancel);
        using var create = await factory.PostSpecAsync(spec);

        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(create))["errors"]!.AsObject();
        Assert.Contains("6400 services exceed the limit of 200", (string)Assert.Single(errors, e => e.Key == "spec.services").Value![0]!, StringComparison.Ordinal);
        Assert.Single(errors);
    }

    [Fact]
    public async Task Client_errors_are_logged_as_warnings_or_information_with_the_request_id_never_as_errors()
    {
        using var factory = new PlatformFactory();
        var server = factory.StartKestrel();

        // Broken chunked framing while the spec is read, and a lost name race.
        var spec = Encoding.UTF8.GetBytes(Specs.Dev("logs-dev"));
        var chunked = Encoding.UTF8.GetBytes("POST /v1/environments HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/yaml\r\n" +
                                             "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
        var malformed = await RawHttp.SendAsync(server, [.. chunked, .. spec, .. "\r\n0\r\n\r\n"u8.ToArray()], TimeSpan.FromSeconds(60), Cancel);
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new("Bearer", PlatformFactory.AdminKey);
        using var first = await client.PostAsync("/v1/environments", new StringContent(Specs.Dev("logs-dev"), Encoding.UTF8, "application/yaml"), Cancel);
        using var second = await client.PostAsync("/v1/environments", new StringContent(Specs.Dev("logs-dev"), Encoding.UTF8, "application/yaml"), Cancel);
        var extend = Encoding.UTF8.GetBytes("POST /v1/environments/logs-dev/extend HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                                            "Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"ttl\":[}");
        var badJson = await RawHttp.SendAsync(server, extend, TimeSpan.FromSeconds(60), Cancel);

        Assert.Equal(400, malformed.Status);
        Assert.True(malformed.IsProblem, malformed.Body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(400, badJson.Status);
        Assert.True(badJson.IsProblem, badJson.Body);
        var lines = factory.Logs.Lines.ToList();
        Assert.DoesNotContain(lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("malformed request body", StringComparison.Ordinal) && l.Contains("(request ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Information ", StringComparison.Ordinal) && l.Contains("a live environment named logs-dev already exists (request ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("Refused POST /v1/environments/logs-dev/extend with 400", StringComparison.Ordinal));
    }

    /// <summary>A YAML spec with <paramref name="services"/> workers and <paramref name="resources"/> queues.</summary>
    internal static string ManyServices(string name, int services, int resources, string image)
    {
        var text = new StringBuilder($"apiVersion: platform/v1\nkind: Environment\nmetadata: {{ name: {name}, team: payments, costCenter: cc-1 }}\nspec:\n  tier: dev\n  services:\n");
        for (var i = 0; i < services; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - {{ name: worker-{i}, type: worker, image: \"{image}\", env: {{ LOG_LEVEL: info, REGION: eu-west-1 }} }}\n");
        }

        if (resources > 0)
        {
            text.Append("  resources:\n");
            for (var i = 0; i < resources; i++)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - {{ name: queue-{i}, type: queue }}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>A stream whose length is unknown, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
