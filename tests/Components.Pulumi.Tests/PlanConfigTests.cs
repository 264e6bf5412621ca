using System.Collections.Immutable;
using Platform.Components.Planning;

namespace Platform.Components.Pulumi.Tests;

public sealed class PlanConfigTests
{
    private static PlanConfigEntry Entry(string type) => new("key", type, false, "A key.", null);

    [Fact]
    public void Parse_TypesValuesAsTheEntryDeclares()
    {
        Assert.Equal("text", PlanConfig.Parse(Entry("string"), "text"));
        Assert.Equal(42, PlanConfig.Parse(Entry("integer"), "42"));
        Assert.Equal(true, PlanConfig.Parse(Entry("boolean"), "true"));
        Assert.Equal(ImmutableArray.Create<object?>("a", "b"), (ImmutableArray<object?>)PlanConfig.Parse(Entry("List<String>"), """["a","b"]""")!);
    }

    [Theory]
    [InlineData("integer", "many")]
    [InlineData("boolean", "yes")]
    [InlineData("List<String>", "a,b")]
    public void Parse_RejectsValuesOfAnotherType_NamingTheKey(string type, string text)
    {
        var error = Assert.Throws<FormatException>(() => PlanConfig.Parse(Entry(type), text));
        Assert.Contains("'key'", error.Message, StringComparison.Ordinal);
    }
}
