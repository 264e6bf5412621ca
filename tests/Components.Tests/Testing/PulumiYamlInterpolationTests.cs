namespace Platform.Components.Tests.Testing;

/// <summary>
/// The test emulator reads strings as pulumi/pulumi-yaml does (@36f271cf, pkg/pulumiyaml/ast/interpolation.go and
/// property.go): each case is a string upstream's grammar comments list, or one of its diagnostics.
/// </summary>
public sealed class PulumiYamlInterpolationTests
{
    [Theory]
    [InlineData("${root}", "root", "root")]
    [InlineData("${root.double.nest}", "root.double.nest", "root")]
    [InlineData("${root[\"double\"][\"nest\"]}", "root[\"double\"][\"nest\"]", "root")]
    [InlineData("${root.array[0][1].nested}", "root.array[0][1].nested", "root")]
    [InlineData("${root[\"key with \\\"escaped\\\" quotes\"]}", "root[\"key with \\\"escaped\\\" quotes\"]", "root")]
    [InlineData("${[\"root key with a .\"][100]}", "[\"root key with a .\"][100]", "root key with a .")]
    [InlineData("${[\"root \\\"q\\\"\"].nested}", "[\"root \\\"q\\\"\"].nested", "root \"q\"")]
    [InlineData("${root[\"a}b\"].c}", "root[\"a}b\"].c", "root")]
    [InlineData("${a b.c}", "a b.c", "a b")]
    public void An_access_ends_at_the_first_brace_outside_quotes(string text, string access, string root)
    {
        var part = Assert.Single(PulumiYamlInterpolation.Parse(text));

        Assert.Equal("", part.Text);
        Assert.Equal(new PulumiYamlInterpolation.Access(access, root), part.Access);
    }

    [Fact]
    public void Dollar_dollar_is_a_literal_dollar_and_a_lone_dollar_is_literal()
    {
        Assert.Equal(
            [new("a ${b} $c ", new PulumiYamlInterpolation.Access("d", "d")), new(" e", null)],
            PulumiYamlInterpolation.Parse("a $${b} $c ${d} e"));
    }

    [Theory]
    [InlineData("${a[\"x}", "missing closing quote in property name")]
    [InlineData("${a[\"x\"}", "missing closing bracket in property access")]
    [InlineData("${a[0}", "missing closing bracket in list index")]
    [InlineData("${a[x]}", "invalid list index")]
    [InlineData("${a[]}", "invalid list index")]
    [InlineData("${[0].a}", "the root property must be a string subscript or a name")]
    [InlineData("${a.b", "unterminated interpolation")]
    [InlineData("text ${", "unterminated interpolation")]
    public void What_upstream_refuses_is_refused_with_its_diagnostic(string text, string diagnostic)
    {
        var error = Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlInterpolation.Parse(text));

        Assert.Equal(diagnostic, error.Message);
    }
}
