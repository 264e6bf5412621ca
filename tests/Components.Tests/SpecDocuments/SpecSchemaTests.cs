extern alias JsonSchemaNet;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JsonSchemaNet::Json.Schema;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.Components.Tests.SpecDocuments;

/// <summary>
/// The spec's JSON Schema is generated from the parser's model: it accepts every example and valid test spec, rejects
/// every test spec whose error is structural, and lists exactly the fields the parser reads.
/// </summary>
public sealed partial class SpecSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(SpecSchema.ToJson()));

    private static string Root => AppContext.BaseDirectory;

    /// <summary>The README's spec example, every file under examples/ that is a spec, and every valid test spec.</summary>
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "examples")).Concat(Directory.GetFiles(Path.Combine(Root, "fixtures", "specs", "valid"))))
        {
            if (File.ReadAllText(file).Contains("kind: Environment", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal))
            {
                data.Add(Path.GetRelativePath(Root, file));
            }
        }

        return data;
    }

    /// <summary>Every invalid test spec.</summary>
    public static TheoryData<string> Invalid() =>
        [.. Directory.GetFiles(Path.Combine(Root, "fixtures", "specs", "invalid")).Select(f => Path.GetRelativePath(Root, f))];

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_schema_accepts_every_example(string file)
    {
        var text = Spec(file);
        Assert.Empty(SpecParser.Parse(text).Errors);

        var result = Evaluate(text);

        Assert.True(result.IsValid, Describe(result));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void The_schema_rejects_every_structurally_invalid_test_spec(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));
        Assert.NotEmpty(SpecParser.Parse(text).Errors);

        Assert.False(Evaluate(text).IsValid);
    }

    [Fact]
    public void A_document_a_get_returns_with_masked_secrets_is_valid()
    {
        var document = SpecWriter.ToDocument(SpecParser.Parse(File.ReadAllText(Path.Combine(Root, "fixtures", "specs", "valid", "billing-prod.yaml"))).Spec!);

        Assert.True(Schema.Value.Evaluate(JsonSerializer.SerializeToElement(document)).IsValid);
    }

    [Fact]
    public void The_schema_lists_exactly_the_fields_the_parser_reads()
    {
        var schema = SpecSchema.Build();
        string[] Keys(JsonNode node) => [.. node["properties"]!.AsObject().Select(p => p.Key)];

        Assert.Equal(SpecParser.TopFields, Keys(schema));
        Assert.Equal(SpecParser.MetadataFields, Keys(schema["properties"]!["metadata"]!));
        Assert.Equal(SpecParser.SpecFields, Keys(schema["properties"]!["spec"]!));
        Assert.Equal(SpecParser.ServiceFields, Keys(schema["$defs"]!["service"]!));
        Assert.Equal(SpecParser.ResourceFields, Keys(schema["$defs"]!["resource"]!));
        Assert.Equal(Platform.Components.Resources.ResourceKinds.Names, schema["$defs"]!["resource"]!["properties"]!["type"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.All(schema["$defs"]!["service"]!["properties"]!.AsObject(), p => Assert.False(string.IsNullOrWhiteSpace((string?)p.Value!["description"])));
    }

    [Theory]
    [InlineData("port: 80", false)]
    [InlineData("host: shop", false)]
    [InlineData("replicas: { min: 1, max: 2 }", false)]
    [InlineData("uses: [db]", true)]
    public void Per_type_rules_follow_what_validation_accepts_for_a_cron_job(string field, bool accepted)
    {
        var text = $$"""
            apiVersion: platform/v1
            kind: Environment
            metadata: { name: jobs-dev, team: web, costCenter: cc-1 }
            spec:
              tier: dev
              services:
                - { name: job, type: cron, image: "r.example.com/job:1.0.0", schedule: "@daily", {{field}} }
              resources:
                - { name: db, type: bucket }
            """;

        Assert.Equal(accepted, Evaluate(text).IsValid);
        Assert.Equal(accepted, EnvironmentPipeline.Run(text, Platform.Components.Targets.TargetSettings.Default).Errors.IsEmpty);
    }

    private static EvaluationResults Evaluate(string specText) =>
        Schema.Value.Evaluate(JsonSerializer.SerializeToElement(SpecParser.ReadDocument(specText)), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Spec(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, file));
        return file == "README.md" ? ReadmeExample().Match(text).Groups["spec"].Value : text;
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));

    [GeneratedRegex("```yaml\\n(?<spec>apiVersion: platform/v1\\n.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeExample();
}
