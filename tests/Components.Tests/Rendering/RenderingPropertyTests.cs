using System.Text.Json.Nodes;
using CsCheck;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.SpecDocuments;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Tests.Rendering;

/// <summary>Random values and random valid specs: rendering never fails and reads back to what was rendered.</summary>
public sealed class RenderingPropertyTests
{
    // Characters that stress YAML and Pulumi interpolation: indicators, quotes, '$', braces, spaces, line breaks, non-ASCII.
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char["ab $${}:#-?&*!|>'\"%@`,[]\n\t\\ü✓0129.eE+_xXoO~<="], 0, 14],
        Gen.OneOf<string>("true", "no", "null", "~", "0755", "8080", "1e3", ".inf", "0x1F", "2001-12-14", "<<", "${a.b}", "$${", "$", " ", "", "- x", "? y",
            // Integers and floats in forms gopkg.in/yaml.v3 reads (and YAML 1.2's core schema does not): Pulumi YAML's.
            "0o17", "0b101", "-0b11", "1_000", "+12", "08", "-0x1F", "0X1f", "1e400", "+.INF", "-.inf", ".5", "._5", "0_0"));

    private static readonly Gen<string> Identifier = Gen.String[Gen.Char["abcxyz"], 1, 6];

    private static readonly Gen<PlanValue> Leaf = Gen.OneOf(
        Text.Select(t => (PlanValue)t),
        Gen.Int.Select(i => (PlanValue)i),
        Gen.Decimal[-1_000_000m, 1_000_000m].Select(d => (PlanValue)new PlanValue.Number(decimal.Round(d, 4))),
        Gen.Bool.Select(b => (PlanValue)b),
        Gen.Const(PlanValue.Null));

    private static readonly Gen<PlanValue> Literal = Gen.Recursive<PlanValue>((depth, value) => depth >= 3
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (1, value.Array[0, 4].Select(items => (PlanValue)new PlanValue.List([.. items]))),
            (1, Gen.Select(Text, value).Array[0, 4].Select(entries => (PlanValue)new PlanValue.Map(
                [.. entries.DistinctBy(e => e.Item1).Select(e => KeyValuePair.Create(e.Item1, e.Item2))])))));

    private static readonly Gen<PlanValue.Map> Inputs =
        Gen.Select(Identifier, Literal).Array[0, 6].Select(entries => new PlanValue.Map(
            [.. entries.DistinctBy(e => e.Item1).Select(e => KeyValuePair.Create(e.Item1, e.Item2))]));

    private static ResourcePlan PlanWith(PlanValue.Map inputs)
    {
        var builder = new PlanBuilder();
        builder.AddComponent("c", "platform:test:Thing");
        builder.Add("thing", "kubernetes:core/v1:ConfigMap", inputs, "c");
        return builder.Build("env", Tier.Dev, "default");
    }

    /// <summary>The value Pulumi would see: strings un-escaped, numbers and booleans typed as yaml.v3 types them.</summary>
    private static PlanValue ReadBack(JsonNode? node) => node switch
    {
        null => PlanValue.Null,
        JsonObject o => new PlanValue.Map([.. o.Select(p => KeyValuePair.Create(PulumiYaml.Literal(p.Key), ReadBack(p.Value)))]),
        JsonArray a => new PlanValue.List([.. a.Select(ReadBack)]),
        JsonValue v when v.TryGetValue(out string? s) => PulumiYaml.Literal(s),
        _ => PlanValue.FromJson(node),
    };

    [Fact]
    public void Any_literal_value_renders_and_reads_back_unchanged()
    {
        Inputs.Sample(inputs =>
        {
            var program = PulumiYamlRenderer.Render(PlanWith(inputs)).Program;
            var properties = PulumiYaml.Json(program)["resources"]!["thing"]!["properties"] as JsonObject;

            var read = properties is null
                ? PlanValue.Map.Empty
                : new PlanValue.Map([.. properties.Select(p => KeyValuePair.Create(p.Key, ReadBack(p.Value)))]);
            Assert.Equal<PlanValue>(inputs, read);
        }, iter: 1000);
    }

    [Fact]
    public void Literal_text_around_references_keeps_its_meaning()
    {
        Gen.Select(Text, Identifier, Text).Sample((before, resource, after) =>
        {
            var inputs = PlanValue.Map.Empty.With("value", PlanValue.Concat(before, PlanValue.Ref("thing", resource), after));
            var builder = new PlanBuilder();
            builder.AddComponent("c", "platform:test:Thing");
            builder.Add("thing", "kubernetes:core/v1:ConfigMap", PlanValue.Map.Empty, "c");
            builder.Add("other", "kubernetes:core/v1:ConfigMap", inputs, "c");
            var plan = builder.Build("env", Tier.Dev, "default");
            if (before.Length == 0 && after.Length == 0)
            {
                // No text at all: the reference alone would keep its value's type (InterpolationEscapingTests).
                Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.Render(plan));
                return;
            }

            var program = PulumiYamlRenderer.Render(plan).Program;
            var value = (string)PulumiYaml.Json(program)["resources"]!["other"]!["properties"]!["value"]!;

            var parts = PulumiYaml.Interpolation(value);
            Assert.Equal(
                new PulumiYaml.Part[] { new(before, null), new(null, $"thing.{resource}"), new(after, null) }.Where(p => p.Text is not ""),
                parts);
        }, iter: 1000);
    }

    [Fact]
    public void Every_valid_spec_renders_a_program_that_parses_back_and_is_byte_identical()
    {
        SpecPropertyTests.ValidSpec.Sample(spec =>
        {
            var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);
            var first = PulumiYamlRenderer.Render(plan);
            var second = PulumiYamlRenderer.Render(PlanCompiler.Compile(spec, DeploymentTarget.Default));

            Assert.Equal(first, second);
            var root = PulumiYaml.Load(first.Program);
            var resources = Assert.IsType<YamlMappingNode>(root.At("resources"));
            Assert.Equal(plan.Resources.Select(r => r.Name), resources.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
            Assert.DoesNotContain("hunter2", first.Program, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", first.StackSettings ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", PlanJson.Serialize(plan), StringComparison.Ordinal);
        }, iter: 200);
    }

    [Fact]
    public void Plain_env_values_of_any_text_reach_the_rendered_config_maps_unchanged()
    {
        Gen.Select(SpecPropertyTests.ValidSpec, Text).Sample((spec, text) =>
        {
            spec = spec with { Services = [.. spec.Services.Select(s => s with { Env = s.Env.SetItem("MODE", EnvValue.Plain(text)) })] };
            Assert.Empty(SpecValidator.Validate(spec, TargetSettings.Default));
            var rendered = PulumiYamlRenderer.Render(PlanCompiler.Compile(spec, DeploymentTarget.Default));
            var values = PulumiYaml.Json(rendered.Program)["resources"]!.AsObject()
                .Where(r => (string?)r.Value!["type"] == "kubernetes:core/v1:ConfigMap")
                .Select(r => r.Value!["properties"]?["data"]?["MODE"])
                .OfType<JsonValue>()
                .ToList();

            Assert.Equal(spec.Services.Length, values.Count);
            Assert.All(values, v => Assert.Equal(text, PulumiYaml.Literal(v.GetValue<string>())));
        }, iter: 200);
    }

    [Fact]
    public void Every_interpolation_in_a_rendered_program_names_a_declared_resource_or_config_key()
    {
        SpecPropertyTests.ValidSpec.Sample(spec =>
        {
            var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default with { KubeContext = "ctx", AwsRegion = "eu-west-1" });
            var root = PulumiYaml.Json(PulumiYamlRenderer.Render(plan).Program);
            var declared = root["resources"]!.AsObject().Select(r => r.Key)
                .Concat(root["config"]?.AsObject().Select(c => c.Key) ?? [])
                .ToHashSet(StringComparer.Ordinal);

            var accesses = Strings(root).SelectMany(Testing.PulumiYamlInterpolation.Parse).Select(p => p.Access).OfType<Testing.PulumiYamlInterpolation.Access>().ToList();
            Assert.All(accesses, a => Assert.Contains(a.Root ?? "", declared));
        }, iter: 100);

        static IEnumerable<string> Strings(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => Strings(p.Value)),
            JsonArray a => a.SelectMany(Strings),
            JsonValue v when v.TryGetValue(out string? s) => [s],
            _ => [],
        };
    }
}
