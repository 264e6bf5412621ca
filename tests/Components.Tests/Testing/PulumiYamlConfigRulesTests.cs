using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Components.Tests.Testing;

/// <summary>
/// Pins the emulator to what the upstream sources say (each case is one the source decides, cited in the emulator),
/// so tests that lean on it test the real engine's behaviour rather than the renderer's assumptions.
/// </summary>
public sealed class PulumiYamlConfigRulesTests
{
    [Theory]
    [InlineData("string", true, true)]
    [InlineData("integer", true, true)]
    [InlineData("boolean", true, true)]
    [InlineData("object", true, true)]
    [InlineData("array", false, true)]
    [InlineData("List<String>", true, false)]
    [InlineData("list<string>", true, false)]
    [InlineData("String", true, false)]
    [InlineData("number", true, false)]
    [InlineData("int", true, false)]
    [InlineData("bool", true, false)]
    [InlineData("map", false, false)]
    public void Config_types_are_accepted_as_pulumi_yaml_and_the_cli_each_decide(string type, bool pulumiYaml, bool cli)
    {
        Assert.Equal(pulumiYaml, PulumiYamlConfigRules.PulumiYamlAcceptsType(type));
        Assert.Equal(cli, PulumiYamlConfigRules.ProjectSchemaAcceptsType(type));
    }

    [Theory]
    [InlineData("0042", "\"0042\"")] // more than one character, leading 0: kept as text
    [InlineData("0", "0")] // a single 0 is an integer
    [InlineData("0.5", "0.5")] // 0. is a float
    [InlineData("1e3", "1000")]
    [InlineData("12345", "12345")]
    [InlineData("123456789012", "123456789012")]
    [InlineData("-7", "-7")]
    [InlineData("+7", "7")]
    [InlineData("true", "true")]
    [InlineData("T", "true")]
    [InlineData("1", "1")] // an integer before a bool
    [InlineData("False", "false")]
    [InlineData("null", "null")]
    [InlineData("[1]", "[1]")]
    [InlineData("{\"a\":1}", "{\"a\":1}")]
    [InlineData(" 42", "42")] // not an integer to strconv, but JSON allows the blank
    [InlineData("\"quoted\"", "\"quoted\"")] // a JSON string decodes to its content
    [InlineData("-0x1p-2", "-0.25")] // Go's hexadecimal float
    [InlineData("vpc-0abc", "\"vpc-0abc\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("1_000", "\"1_000\"")]
    [InlineData("1e400", "\"1e400\"")] // out of range: neither float nor JSON
    public void Values_are_retyped_as_pulumi_yaml_does(string text, string json)
    {
        var retyped = PulumiYamlConfigRules.Retype(text);

        Assert.Equal(json, retyped?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Infinity_and_nan_are_floats_in_any_case()
    {
        Assert.True(double.IsPositiveInfinity(PulumiYamlConfigRules.Retype("Infinity")!.GetValue<double>()));
        Assert.True(double.IsNegativeInfinity(PulumiYamlConfigRules.Retype("-inf")!.GetValue<double>()));
        Assert.True(double.IsNaN(PulumiYamlConfigRules.Retype("NaN")!.GetValue<double>()));
    }

    [Theory]
    [InlineData(123456789012d, "1.23456789012e+11")]
    [InlineData(1048576d, "1.048576e+06")]
    [InlineData(123456d, "123456")]
    [InlineData(12345d, "12345")]
    [InlineData(1000d, "1000")]
    [InlineData(0.5d, "0.5")]
    [InlineData(0.0001d, "0.0001")]
    [InlineData(0.00001d, "1e-05")]
    [InlineData(-2.5e-7d, "-2.5e-07")]
    [InlineData(100000000d, "1e+08")]
    [InlineData(0d, "0")]
    public void Numbers_in_interpolations_are_formatted_as_gos_percent_v(double value, string text)
    {
        Assert.Equal(text, PulumiYamlConfigRules.Interpolated(JsonValue.Create(value)));
    }

    [Fact]
    public void A_declared_key_set_on_the_stack_is_the_retyped_value_not_the_declared_type()
    {
        const string Program = """
            name: p
            runtime: yaml
            config:
              account:
                type: string
            resources: {}
            """;
        var (values, _) = PulumiYamlConfigRules.Load(Program, "config:\n  p:account: \"123456789012\"\n");

        Assert.Equal(JsonValueKind.Number, values["account"].Value!.GetValueKind());
        Assert.Equal("arn:aws:iam::1.23456789012e+11:root", PulumiYamlConfigRules.Evaluate(JsonValue.Create("arn:aws:iam::${account}:root"), values)!.GetValue<string>());
    }

    [Theory]
    [InlineData("config:\n  subnets:\n    type: array\n    items:\n      type: string\n", "[a]", "unexpected configuration type 'array'")]
    [InlineData("config:\n  subnets:\n    type: List<String>\n", "[a]", "value must be one of")]
    [InlineData("config:\n  subnets:\n    type: string\n    name: other\n", "a", "additional properties 'name' not allowed")]
    public void Declarations_the_real_engine_refuses_are_refused(string config, string value, string message)
    {
        var program = $"name: p\nruntime: yaml\n{config}resources: {{}}\n";

        var error = Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Load(program, $"config:\n  p:subnets: {value}\n"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_description_in_a_declaration_draws_a_warning()
    {
        const string Program = "name: p\nruntime: yaml\nconfig:\n  a:\n    type: string\n    description: An a.\nresources: {}\n";

        var (_, warnings) = PulumiYamlConfigRules.Load(Program, "config:\n  p:a: x\n");

        Assert.Contains(warnings, w => w.Contains("'description'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_value_and_a_wrongly_typed_one_stop_the_cli()
    {
        const string Program = "name: p\nruntime: yaml\nconfig:\n  a:\n    type: string\n  b:\n    type: string\nresources: {}\n";

        Assert.Contains("missing configuration value 'b'",
            Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Load(Program, "config:\n  p:a: x\n")).Message, StringComparison.Ordinal);
        Assert.Contains("must be of type 'string'",
            Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Load(Program, "config:\n  p:a: [x]\n  p:b: y\n")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a$$b", "a$b")] // "$$" is a '$' wherever it is, not only before '{'
    [InlineData("$${x}", "${x}")]
    [InlineData("$$$$", "$$")]
    [InlineData("a$b", "a$b")] // a lone '$' is itself
    [InlineData("cost $", "cost $")]
    [InlineData("$$${n}", "$5")]
    [InlineData("${n}$$", "5$")]
    public void Interpolation_reads_the_string_from_the_left_as_pulumi_yaml_does(string text, string value)
    {
        var values = new Dictionary<string, PulumiYamlConfigRules.ConfigValue> { ["n"] = new(JsonValue.Create(5d), false) };

        Assert.Equal(value, PulumiYamlConfigRules.Evaluate(JsonValue.Create(text), values)!.GetValue<string>());
    }

    [Fact]
    public void A_default_is_handed_over_as_config_text_and_retyped_so_it_replaces_the_declared_type()
    {
        // The CLI copies "8080" into the stack's config; Pulumi YAML re-types it to a number, whatever the declaration.
        const string Program = "name: p\nruntime: yaml\nconfig:\n  port:\n    type: string\n    default: \"8080\"\n  zones:\n    type: string\n    default: \"a,b\"\nresources: {}\n";

        var (values, _) = PulumiYamlConfigRules.Load(Program, null);

        Assert.Equal(JsonValueKind.Number, values["port"].Value!.GetValueKind());
        Assert.Equal("a,b", values["zones"].Value!.GetValue<string>());
    }

    [Theory]
    [InlineData("    type: string\n    default: 8080\n", "type mismatch")] // a YAML number under a string declaration
    [InlineData("    type: string\n    default: \"${nowhere}\"\n", "could not be found")] // the declaration's default is an expression
    [InlineData("    type: string\n    secret: true\n    default: x\n", "must be encrypted")] // the CLI's copy is plain
    [InlineData("    type: integer\n    default: x\n", "must be of type 'integer'")]
    public void Defaults_the_real_engine_refuses_are_refused(string declaration, string message)
    {
        var program = $"name: p\nruntime: yaml\nconfig:\n  a:\n{declaration}resources: {{}}\n";

        var error = Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Load(program, null));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_with_an_escaped_dollar_is_no_access_and_reaches_the_program_unescaped_by_the_cli()
    {
        const string Program = "name: p\nruntime: yaml\nconfig:\n  a:\n    type: string\n    default: \"$${x}\"\nresources: {}\n";

        var (values, _) = PulumiYamlConfigRules.Load(Program, null);

        Assert.Equal("$${x}", values["a"].Value!.GetValue<string>());
    }

    [Fact]
    public void Split_needs_a_string()
    {
        var values = new Dictionary<string, PulumiYamlConfigRules.ConfigValue> { ["n"] = new(JsonValue.Create(5d), false) };
        var split = JsonNode.Parse("""{"fn::split": [",", "${n}"]}""");

        Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Evaluate(split, values));
    }
}
