using System.Globalization;
using System.Text;
using CsCheck;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Rendering;

/// <summary>
/// An interpolation's literal parts are escaped as one string: Pulumi YAML reads the whole rendered string from the
/// left (<c>$$</c> is a <c>$</c>, <c>${</c> starts an access; <c>pulumi/pulumi-yaml</c>
/// <c>pkg/pulumiyaml/ast/interpolation.go</c>, <c>parseInterpolate</c>), so whether a <c>$</c> is doubled depends on the
/// character after it in that string, wherever that character comes from.
/// </summary>
public sealed class InterpolationEscapingTests
{
    private static string Rendered(params PlanValue[] parts)
    {
        var builder = new PlanBuilder();
        builder.AddConfig(new PlanConfigEntry("k", "string", false, "", null), new StackConfigValue("v", false));
        builder.Add("q2", "aws:sqs/queue:Queue", PlanValue.Map.Empty, null);
        builder.Add("thing", "kubernetes:core/v1:ConfigMap", PlanValue.Map.Empty.With("value", new PlanValue.Interpolation([.. parts])), null);
        var program = PulumiYamlRenderer.Render(builder.Build("env", Tier.Dev, "default")).Program;
        return (string)PulumiYaml.Json(program)["resources"]!["thing"]!["properties"]!["value"]!;
    }

    public static TheoryData<PlanValue[], string, (string? Text, string? Access)[]> Cases => new()
    {
        // A '$' ending one literal part and a '{' starting the next form "${" in the string.
        { ["cost $", "{x}"], "cost $${x}", [("cost ${x}", null)] },
        // A null part writes nothing: the '$' before it is followed by the reference's "${".
        { ["pre$", PlanValue.Null, PlanValue.Ref("q2", "arn")], "pre$$${q2.arn}", [("pre$", null), (null, "q2.arn")] },
        { ["$", PlanValue.Ref("q2", "arn")], "$$${q2.arn}", [("$", null), (null, "q2.arn")] },
        { ["a$", "", "{b}"], "a$${b}", [("a${b}", null)] },
        // "$$" across parts: the first '$' is followed by the second.
        { ["a$", "$b"], "a$$$b", [("a$$b", null)] },
        { ["$", "$"], "$$$", [("$$", null)] },
        { ["$$", PlanValue.Config("k")], "$$$$${k}", [("$$", null), (null, "k")] },
        // A '$' followed by anything else (a number, a bool, the end, a reference's end) stays single.
        { ["$", 5], "$5", [("$5", null)] },
        { ["x$", true], "x$true", [("x$true", null)] },
        { [PlanValue.Ref("q2", "arn"), "$"], "${q2.arn}$", [(null, "q2.arn"), ("$", null)] },
        { ["$", PlanValue.Null], "$", [("$", null)] },
        // A quoted subscript may hold '}' and '$': the access ends at the first '}' outside quotes (parsePropertyAccess).
        { ["pre ", PlanValue.Ref("q2", "tags[\"a}b$\"]"), " post"], "pre ${q2.tags[\"a}b$\"]} post", [("pre ", null), (null, "q2.tags[\"a}b$\"]"), (" post", null)] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Literal_parts_are_escaped_as_the_one_string_pulumi_yaml_reads(PlanValue[] parts, string rendered, (string? Text, string? Access)[] read)
    {
        var value = Rendered(parts);

        Assert.Equal(rendered, value);
        Assert.Equal(read, PulumiYaml.Interpolation(value).Select(p => (p.Text, p.Access)));
    }

    // Parts whose text holds '$' and '{' where they can meet across parts, nulls, numbers, bools and references.
    private static readonly Gen<PlanValue> Part = Gen.Frequency(
        (6, Gen.String[Gen.Char["a${}"], 0, 4].Select(t => (PlanValue)t)),
        (1, Gen.Const(PlanValue.Null)),
        (1, Gen.Int[-9, 99].Select(i => (PlanValue)i)),
        (1, Gen.Bool.Select(b => (PlanValue)b)),
        (2, Gen.OneOf(Gen.Const(PlanValue.Ref("q2", "arn")), Gen.Const(PlanValue.Config("k")))));

    [Fact]
    public void Any_sequence_of_parts_reads_back_as_its_literal_text_and_accesses()
    {
        Part.Array[1, 6].Sample(parts =>
        {
            // What the program should see: literal text run together, an access per reference.
            var expected = new List<PulumiYaml.Part>();
            var literal = new StringBuilder();
            foreach (var part in parts)
            {
                var access = part switch
                {
                    PlanValue.Reference r => $"{r.Resource}.{r.Property}",
                    PlanValue.ConfigReference c => c.Key,
                    _ => null,
                };
                if (access is null)
                {
                    literal.Append(part switch
                    {
                        PlanValue.Text t => t.Value,
                        PlanValue.Number n => n.Value.ToString(CultureInfo.InvariantCulture),
                        PlanValue.Bool b => b.Value ? "true" : "false",
                        _ => "",
                    });
                    continue;
                }

                if (literal.Length > 0)
                {
                    expected.Add(new(literal.ToString(), null));
                    literal.Clear();
                }

                expected.Add(new(null, access));
            }

            if (literal.Length > 0)
            {
                expected.Add(new(literal.ToString(), null));
            }

            if (expected is [{ Text: null }])
            {
                // One access alone would read as the value itself, not as text: refused (below).
                Assert.Throws<ArgumentException>(() => Rendered(parts));
                return;
            }

            Assert.Equal(expected, PulumiYaml.Interpolation(Rendered(parts)));
        }, iter: 2000);
    }

    // Pulumi YAML parses a string that is one access and nothing else as the access itself, keeping the value's type
    // (ParseExpr, pkg/pulumiyaml/ast/expr.go, pulumi/pulumi-yaml): a port number would stay a number where the plan
    // asked for text. Nothing in Pulumi YAML makes a value text, so the renderer refuses such a plan.
    [Theory]
    [InlineData("${q2.arn}", "q2", "arn")]
    [InlineData("${q2.ports[0]}", "q2", "ports[0]")]
    [InlineData("${q2[\"x\"]}", "q2", "[\"x\"]")]
    public void An_interpolation_of_one_reference_alone_is_refused(string access, string resource, string property)
    {
        foreach (var parts in (PlanValue[][])[[PlanValue.Ref(resource, property)], ["", PlanValue.Ref(resource, property), PlanValue.Null]])
        {
            var error = Assert.Throws<ArgumentException>(() => Rendered(parts));
            Assert.Contains($"An interpolation of {access} alone is not text", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("${k} alone", Assert.Throws<ArgumentException>(() => Rendered(PlanValue.Config("k"))).Message, StringComparison.Ordinal);
        Assert.Equal($"{access}:", Rendered(PlanValue.Ref(resource, property), ":"));
    }
}
