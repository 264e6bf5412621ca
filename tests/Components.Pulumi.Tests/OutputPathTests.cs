using System.Collections.Immutable;

namespace Platform.Components.Pulumi.Tests;

public sealed class OutputPathTests
{
    [Theory]
    [InlineData("arn", "arn", "")]
    [InlineData("metadata.name", "metadata", "name")]
    [InlineData("status.loadBalancer.ingress[0].hostname", "status", "loadBalancer,ingress,0,hostname")]
    [InlineData("metadata.annotations[\"eks.amazonaws.com/role-arn\"]", "metadata", "annotations,eks.amazonaws.com/role-arn")]
    [InlineData("items[2]", "items", "2")]
    public void Parse_SplitsThePropertyFromTheRest(string path, string property, string rest)
    {
        var parsed = OutputPath.Parse(path);
        Assert.Equal(property, parsed.Property);
        Assert.Equal(rest, string.Join(',', parsed.Rest));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a[x]")]
    [InlineData("a[0")]
    [InlineData("[0]")]
    public void Parse_RejectsMalformedPaths(string path) =>
        Assert.Throws<FormatException>(() => OutputPath.Parse(path));

    [Fact]
    public void Navigate_WalksMapsAndLists_AndYieldsNullForMissingSteps()
    {
        var value = ImmutableDictionary<string, object>.Empty
            .Add("ingress", ImmutableArray.Create<object>(ImmutableDictionary<string, object>.Empty.Add("hostname", "lb.example")));

        Assert.Equal("lb.example", OutputPath.Parse("status.ingress[0].hostname").Navigate(value));
        Assert.Null(OutputPath.Parse("status.ingress[1].hostname").Navigate(value));
        Assert.Null(OutputPath.Parse("status.missing").Navigate(value));
        Assert.Null(OutputPath.Parse("status.ingress").Navigate(null));
    }
}
