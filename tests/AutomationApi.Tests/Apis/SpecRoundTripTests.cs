using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// Issue 13: GET returns the spec the team sent as a platform/v1 document (rewritten from what was parsed; JSON or
/// YAML by Accept, secrets masked), and PUT takes it back, edited or not, keeping the masked secrets' stored values.
/// </summary>
public sealed class SpecRoundTripTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Every example and every valid fixture spec.</summary>
    public static TheoryData<string> SpecFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "specs", "valid"))
                     .Append(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(AppContext.BaseDirectory, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public async Task Get_edit_put_round_trips_every_example_and_fixture(string file)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, file), Cancel);
        var original = SpecParser.Parse(text).Spec!;
        var name = original.Name;
        using var factory = new PlatformFactory(configure: settings => settings["Platform:TargetsFile"] = WriteTargets());
        var client = factory.CreateClient();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(text))["state"]!);

        // JSON: the spec field is the document written from the parsed spec (the parser's fields only, secrets masked).
        var described = await factory.GetEnvironmentAsync(name);
        var document = described["spec"]!.AsObject();
        Assert.True(JsonNode.DeepEquals(SpecWriter.ToDocument(original), document), document.ToJsonString());
        Assert.Equal(EnvironmentSpec.ApiVersion, (string)document["apiVersion"]!);
        foreach (var secret in original.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret))
        {
            Assert.DoesNotContain(secret.Value, described.ToJsonString(), StringComparison.Ordinal);
        }

        // YAML by Accept: the same document, ready to edit.
        using var yamlRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/environments/{name}");
        yamlRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/yaml"));
        using var yamlResponse = await client.SendAsync(yamlRequest, Cancel);
        Assert.Equal(HttpStatusCode.OK, yamlResponse.StatusCode);
        Assert.Equal("application/yaml", yamlResponse.Content.Headers.ContentType!.MediaType);
        var yaml = await yamlResponse.Content.ReadAsStringAsync(Cancel);
        Assert.True(JsonNode.DeepEquals(document, SpecParser.ReadDocument(yaml)), yaml);

        // PUT the JSON document back untouched, then the YAML one with an edit: both are accepted as they are.
        await PutAndWaitAsync(factory, name, document.ToJsonString(), "application/json");
        const string NewImage = "registry.example.com/edited/app:9.9.9";
        var edited = yaml.Replace(original.Services[0].Image, NewImage, StringComparison.Ordinal);
        await PutAndWaitAsync(factory, name, edited, "application/yaml");

        // A preview of the masked document is taken the same way: its masked secrets keep their stored values.
        using var preview = await client.PostAsync($"/v1/environments/{name}/preview", new StringContent(edited, System.Text.Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, preview.StatusCode);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(preview))["id"]!))["state"]!);

        var after = (await factory.GetEnvironmentAsync(name))["spec"]!;
        Assert.Equal(NewImage, (string)after["spec"]!["services"]![0]!["image"]!);
        var expected = SpecWriter.ToDocument(original with { Services = original.Services.SetItem(0, original.Services[0] with { Image = NewImage }) });
        Assert.True(JsonNode.DeepEquals(expected, after), after.ToJsonString());

        // The masked secrets kept their values: the engine's stack config still holds each one.
        foreach (var secret in original.Services.SelectMany(s => s.Env.Values).Where(v => v.IsSecret))
        {
            Assert.Contains(secret.Value, factory.Fake.SecretConfig(name), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// GET writes the spec from what was parsed, on purpose (the secrets are masked in it, and one canonical form reads
    /// the same whoever wrote the spec): the same spec, not the same text. The documents said "as it was sent".
    /// </summary>
    [Fact]
    public async Task Get_returns_the_same_spec_not_the_same_text_says_so_and_put_takes_it_back()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync("# The payments team's scratch environment.\n" + Specs.Dev("canonical-dev", ttl: "72h"));
        var client = factory.CreateClient();

        var yaml = await GetYamlAsync();
        Assert.Contains("ttl: 3d", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("72h", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("#", yaml, StringComparison.Ordinal);

        // Sent back untouched (its secret masked) it is accepted, and the next GET is the same document.
        await PutAndWaitAsync(factory, "canonical-dev", yaml, "application/yaml");
        Assert.Equal(yaml, await GetYamlAsync());

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Cancel))!;
        foreach (var path in new[] { "/v1/environments/{name}", "/v1/environments/{name}/spec" })
        {
            var description = (string)document["paths"]![path]!["get"]!["description"]!;
            Assert.DoesNotContain("sent as", description, StringComparison.Ordinal);
            Assert.DoesNotContain("team sent", description, StringComparison.Ordinal);
            Assert.Contains("not the same text", description, StringComparison.Ordinal);
        }

        async Task<string> GetYamlAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/environments/canonical-dev/spec");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/yaml"));
            using var response = await client.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync(Cancel);
        }
    }

    [Fact]
    public async Task A_masked_secret_with_nothing_stored_is_refused_naming_the_variable()
    {
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("mask-dev")))["state"]!);
        var document = (await factory.GetEnvironmentAsync("mask-dev"))["spec"]!.AsObject();
        document["spec"]!["services"]![0]!["env"]!["NEW_TOKEN"] = SpecWriter.MaskedSecret();

        using var put = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/mask-dev") { Content = new StringContent(document.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        using var response = await factory.CreateClient().SendAsync(put, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(response))["errors"]!.AsObject();
        Assert.Equal(["spec.services[0].env.NEW_TOKEN"], errors.Select(e => e.Key));

        // On create there is nothing stored to keep: the form is refused with the same path.
        using var created = await factory.PostSpecAsync(document.ToJsonString().Replace("mask-dev", "mask2-dev", StringComparison.Ordinal), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("spec.services[0].env.DB_PASSWORD", (await PlatformFactory.ReadAsync(created))["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_spec_with_a_dozen_mistakes_is_answered_with_all_of_them()
    {
        using var factory = new PlatformFactory();
        var text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "fixtures", "specs", "invalid", "thirteen-mistakes.yaml"), Cancel);

        using var response = await factory.PostSpecAsync(text);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(response))["errors"]!.AsObject();
        Assert.True(errors.Count >= 13, string.Join(", ", errors.Select(e => e.Key)));
        Assert.Contains("spec.services[1].type", errors.Select(e => e.Key));
        Assert.Contains("spec.services[0].replicas.min", errors.Select(e => e.Key));
    }

    [Fact]
    public async Task Summaries_and_golden_paths_show_enums_as_strings_and_durations_as_specs_write_them()
    {
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("enum-dev")))["state"]!);

        var plan = (await factory.GetEnvironmentAsync("enum-dev"))["plan"]!;
        Assert.Equal("dev", (string)plan["tier"]!);
        var paths = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/golden-paths", Cancel))!;
        var staging = paths["tiers"]!.AsArray().Single(t => (string)t!["tier"]! == "staging")!;
        Assert.Equal("14d", (string)staging["defaultTtl"]!);
        Assert.Equal("90d", (string)staging["maxTtl"]!);
    }

    [Fact]
    public async Task Golden_paths_list_exactly_the_options_validation_accepts_for_each_workload_type()
    {
        using var factory = new PlatformFactory();
        var paths = (await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/golden-paths", Cancel))!["serviceTypes"]!.AsArray();
        var samples = new Dictionary<string, string>
        {
            ["image"] = "image: registry.example.com/a:1.0.0",
            ["env"] = "env: { A: b }",
            ["uses"] = "uses: [db]",
            ["replicas"] = "replicas: { min: 1, max: 2 }",
            ["resources"] = "resources: { cpu: 100m }",
            ["command"] = "command: [x]",
            ["args"] = "args: [y]",
            ["port"] = "port: 8080",
            ["host"] = "host: shop",
            ["healthPath"] = "healthPath: /ready",
            ["schedule"] = "schedule: \"@daily\"",
        };
        var all = paths.SelectMany(t => t!["options"]!.AsObject().Select(o => o.Key)).ToHashSet();
        Assert.Subset(samples.Keys.ToHashSet(), all);
        foreach (var type in paths)
        {
            var name = (string)type!["type"]!;
            var options = type["options"]!.AsObject().Select(o => o.Key).ToHashSet();
            foreach (var option in all)
            {
                var fields = new[] { "image", option, name == "cron" && option != "schedule" ? "schedule" : "" }.Where(f => f.Length > 0).Distinct();
                var spec = $$"""
                    apiVersion: platform/v1
                    kind: Environment
                    metadata: { name: paths-dev, team: web, costCenter: cc-1 }
                    spec:
                      tier: dev
                      services:
                        - name: svc
                          type: {{name}}
                    {{string.Join("\n", fields.Select(f => "      " + samples[f]))}}
                      resources:
                        - { name: db, type: bucket }
                    """;
                var errors = Platform.Components.EnvironmentPipeline.Run(spec, Platform.Components.Targets.TargetSettings.Default).Errors
                    .Where(e => e.Path.StartsWith("spec.services[0]", StringComparison.Ordinal)).ToList();
                if (options.Contains(option))
                {
                    Assert.True(errors.Count == 0, $"{name} lists '{option}' but validation refuses it: {string.Join("; ", errors)}");
                }
                else
                {
                    Assert.True(errors.Count > 0, $"{name} does not list '{option}' but validation accepts it");
                }
            }
        }
    }

    private static async Task PutAndWaitAsync(PlatformFactory factory, string name, string body, string contentType)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/environments/{name}") { Content = new StringContent(body, System.Text.Encoding.UTF8, contentType) };
        using var response = await factory.CreateClient().SendAsync(put, Cancel);
        var answer = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, answer);
        var operation = JsonNode.Parse(answer)!;
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)operation["id"]!))["state"]!);
    }

    private static string WriteTargets()
    {
        var path = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Specs.CompleteTargets);
        return path;
    }
}
