using Platform.Components.Documents;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.Components.Tests.SpecDocuments;

public sealed class SpecParserTests
{
    private const string Minimal = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-dev, team: web, costCenter: cc-1 }
        spec:
          tier: dev
          services:
            - { name: web, type: web, image: "registry.example.com/web:1.0.0" }
        """;

    [Theory]
    [InlineData("replicas: 3", "Expected a mapping of min and max, not the number 3.", "replicas: { min: 3, max: 3 }")]
    [InlineData("replicas: \"3\"", "Expected a mapping of min and max, not the number 3.", "replicas: { min: 3, max: 3 }")]
    [InlineData("replicas: three", "Expected a mapping.", "Write 'replicas' as a mapping")]
    [InlineData("replicas: 0", "Expected a mapping.", "Write 'replicas' as a mapping")] // no fix that the guardrails refuse
    [InlineData("replicas: -3", "Expected a mapping.", "Write 'replicas' as a mapping")]
    public void A_replica_count_written_as_a_number_is_refused_with_the_mapping_that_means_it(string replicas, string message, string fix)
    {
        var result = SpecParser.Parse(Minimal.Replace("image: \"registry.example.com/web:1.0.0\" }", $"image: \"registry.example.com/web:1.0.0\", {replicas} }}", StringComparison.Ordinal));

        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.services[0].replicas", error.Path);
        Assert.Equal(message, error.Message);
        Assert.Contains(fix, error.Fix, StringComparison.Ordinal);
        Assert.Null(result.Spec);
    }

    [Fact]
    public void The_readme_example_parses_to_the_spec_built_by_hand()
    {
        var result = SpecParser.Parse(TestSpecs.CheckoutStagingYaml);

        Assert.Empty(result.Errors);
        var expected = TestSpecs.CheckoutStaging();
        var actual = result.Spec!;
        Assert.Equal(expected.Metadata.Name, actual.Metadata.Name);
        Assert.Equal(expected.Metadata.Team, actual.Metadata.Team);
        Assert.Equal(expected.Metadata.CostCenter, actual.Metadata.CostCenter);
        Assert.Equal(expected.Tier, actual.Tier);
        Assert.Equal(expected.Ttl, actual.Ttl);
        Assert.Equal(expected.Services.Length, actual.Services.Length);
        for (var i = 0; i < expected.Services.Length; i++)
        {
            var e = expected.Services[i];
            var a = actual.Services[i];
            Assert.Equal((e.Name, e.Type, e.Image, e.Port, e.Host, e.Replicas, e.Resources), (a.Name, a.Type, a.Image, a.Port, a.Host, a.Replicas, a.Resources));
            Assert.Equal(e.Uses, a.Uses);
            Assert.Equal(e.Env, a.Env);
        }

        Assert.Equal(expected.Resources, actual.Resources);
    }

    [Fact]
    public void Json_and_yaml_with_the_same_content_parse_alike()
    {
        const string json = """
            {"apiVersion":"platform/v1","kind":"Environment",
             "metadata":{"name":"shop-dev","team":"web","costCenter":"cc-1"},
             "spec":{"tier":"dev","services":[{"name":"web","type":"web","image":"registry.example.com/web:1.0.0"}]}}
            """;

        var fromYaml = SpecParser.Parse(Minimal).Spec!;
        var fromJson = SpecParser.Parse(json).Spec!;

        Assert.Equal(fromYaml.Metadata, fromJson.Metadata);
        Assert.Equal(fromYaml.Services.Single().Image, fromJson.Services.Single().Image);
        Assert.Equal(EnvironmentSpec.DefaultTarget, fromJson.Target);
    }

    [Fact]
    public void Unknown_fields_are_errors_with_a_suggestion()
    {
        var result = SpecParser.Parse(Minimal.Replace("tier: dev", "tier: dev\n  replicaz: 3", StringComparison.Ordinal)
            .Replace("type: web,", "type: web, imagePullPolicy: Always, prot: 80,", StringComparison.Ordinal));

        Assert.Null(result.Spec);
        Assert.Contains(result.Errors, e => e.Path == "spec.replicaz" && e.Message.Contains("Unknown field", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "spec.services[0].imagePullPolicy");
        Assert.Contains(result.Errors, e => e.Path == "spec.services[0].prot" && e.Fix.Contains("'port'", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_structural_error_is_reported_at_once()
    {
        const string text = """
            apiVersion: platform/v2
            kind: Env
            metadata: { name: shop-dev }
            spec:
              tier: qa
              ttl: soon
              services:
                - { name: web, type: lambda, image: "x:1", port: "80", replicas: { min: one, max: 2 } }
                - just-a-string
              resources:
                - { name: db, type: mysql, fifo: maybe }
            """;

        var result = SpecParser.Parse(text);
        var paths = result.Errors.Select(e => e.Path).ToHashSet();

        Assert.Null(result.Spec);
        Assert.Subset(paths, new HashSet<string>
        {
            "apiVersion", "kind", "metadata.team", "metadata.costCenter", "spec.tier", "spec.ttl",
            "spec.services[0].type", "spec.services[0].port", "spec.services[0].replicas.min", "spec.services[1]",
            "spec.resources[0].type", "spec.resources[0].fifo",
        });
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Fix)));
    }

    [Theory]
    [InlineData("tier: dev\n  services: [", "Invalid YAML")]
    [InlineData("{\"apiVersion\": ", "Invalid JSON")]
    [InlineData("- a\n- b", "not a mapping")]
    [InlineData("!!w+k i*RT}0", "not a valid URI")]
    [InlineData("spec: !!w+k i", "not a valid URI")]
    public void Malformed_text_is_one_clear_error(string text, string expected)
    {
        var result = SpecParser.Parse(text);

        var error = Assert.Single(result.Errors);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_referencing_aliases_are_rejected_not_followed()
    {
        var error = Assert.Single(SpecParser.Parse("&a [*a]").Errors);
        Assert.Contains("refers to a node that contains it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_rejected()
    {
        var error = Assert.Single(SpecParser.Parse("a: " + new string('[', 20_000)).Errors);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Single(SpecParser.Parse("{\"a\": " + new string('[', 5_000) + "}").Errors);
    }

    // The ~200 KB documents of issue 11: complete (every bracket closed), 100,000 levels deep. Before the parsers
    // streamed, the YAML one built the whole tree recursively and overflowed the stack, which ends the process; the
    // parse runs on a thread with a small stack so recursion anywhere would show here first (and crash the run).
    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public void Complete_documents_nested_100000_deep_are_refused_at_the_limit(string syntax)
    {
        const int Depth = 100_000;
        var nested = new string('[', Depth) + new string(']', Depth);
        var text = syntax == "yaml" ? $"apiVersion: platform/v1\nkind: Environment\nspec: {nested}\n" : $"{{\"spec\": {nested}}}";

        var result = OnSmallStack(() => SpecParser.Parse(text));

        var error = Assert.Single(result.Errors);
        Assert.Contains($"nests deeper than {YamlJson.MaxDepth} levels", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("spec[0][0]", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_are_expanded_within_the_depth_limit()
    {
        var nested = new string('[', 40) + "x" + new string(']', 40);
        var error = Assert.Single(SpecParser.Parse($"a: &a {nested}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]").Errors);
        Assert.Contains("once the alias *a is expanded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"\\ud800\"}", "apiVersion")]
    [InlineData("{\"metadata\":{\"na\\udc00me\":1}}", "metadata")]
    [InlineData("apiVersion: \"\\ud800\"", "apiVersion")]
    [InlineData("spec:\n  services:\n    - name: \"a\\udfffb\"", "spec.services[0].name")]
    public void Lone_surrogate_escapes_are_an_error_with_their_path(string text, string path)
    {
        var error = Assert.Single(SpecParser.Parse(text).Errors);

        Assert.Equal(path, error.Path);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("8080.5")]
    public void Numbers_beyond_any_port_are_an_error_at_the_field(string number)
    {
        var json = $$$"""
            {"apiVersion":"platform/v1","kind":"Environment",
             "metadata":{"name":"shop-dev","team":"web","costCenter":"cc-1"},
             "spec":{"tier":"dev","services":[{"name":"web","type":"web","image":"registry.example.com/web:1.0.0","port":{{{number}}}}]}}
            """;

        var errors = SpecParser.Parse(json).Errors;

        Assert.Contains(errors, e => e.Path == "spec.services[0].port");
    }

    [Fact]
    public void Duplicate_json_keys_are_an_error()
    {
        var error = Assert.Single(SpecParser.Parse("{\"kind\":\"Environment\",\"kind\":\"Other\"}").Errors);
        Assert.Contains("Duplicate key 'kind'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Documents_with_more_values_than_the_limit_are_refused_while_reading()
    {
        var text = "{\"a\":[" + string.Join(',', Enumerable.Repeat("1", YamlJson.MaxNodes + 1)) + "]}";
        var error = Assert.Single(SpecParser.Parse(text).Errors);
        Assert.Contains($"more than {YamlJson.MaxNodes} values", error.Message, StringComparison.Ordinal);
    }

    private static T OnSmallStack<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = ex;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("The parser threw.", failure);
    }

    [Fact]
    public void Alias_bombs_are_rejected_by_size()
    {
        var text = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var error = Assert.Single(SpecParser.Parse(text.ToString()).Errors);
        Assert.Contains("more than 100000 values", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3651d")]
    [InlineData("100000w100000w100000w100000w100000w")]
    public void Durations_beyond_ten_years_do_not_parse(string text)
    {
        Assert.False(SpecParser.TryParseDuration(text, out _));
    }

    [Fact]
    public void Secret_env_values_are_marked_and_never_printed()
    {
        var result = SpecParser.Parse(Minimal.Replace("image: \"registry.example.com/web:1.0.0\"", "image: \"registry.example.com/web:1.0.0\", env: { LOG_LEVEL: info, RETRIES: 3, API_KEY: { secret: s3cr3t-value } }", StringComparison.Ordinal));

        var env = result.Spec!.Services.Single().Env;
        Assert.False(env["LOG_LEVEL"].IsSecret);
        Assert.Equal("3", env["RETRIES"].Value);
        Assert.True(env["API_KEY"].IsSecret);
        Assert.Equal("s3cr3t-value", env["API_KEY"].Value);
        Assert.DoesNotContain("s3cr3t", result.Spec.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("72h", 72 * 60)]
    [InlineData("3d", 3 * 24 * 60)]
    [InlineData("1d12h", 36 * 60)]
    [InlineData("2w", 14 * 24 * 60)]
    [InlineData("90m", 90)]
    public void Durations_parse(string text, int minutes)
    {
        Assert.True(SpecParser.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("72")]
    [InlineData("h")]
    [InlineData("3 days")]
    [InlineData("-1h")]
    [InlineData("1y")]
    public void Malformed_durations_do_not_parse(string text)
    {
        Assert.False(SpecParser.TryParseDuration(text, out _));
    }
}
