using System.Collections.Immutable;
using Platform.Components.Pulumi.Tests.Testing;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

public sealed class PlanResourcesTests
{
    private static CustomResource Create(string name, params string[] outputs) =>
        PlanResources.Create("kubernetes:core/v1:ConfigMap", name, new DictionaryResourceArgs(ImmutableDictionary<string, object?>.Empty.Add("data", "x")), new CustomResourceOptions(), outputs);

    [Fact]
    public async Task Create_ExposesExactlyTheNamedOutputs_AndSharesOneClassPerSetOfNames()
    {
        CustomResource? first = null, second = null, plain = null;
        await PulumiRun.RunAsync(_ =>
        {
            first = Create("first", "arn", "metadata");
            second = Create("second", "metadata", "arn", "id");
            plain = Create("plain", "id", "urn");
            return new Dictionary<string, object?>();
        });

        Assert.Same(first!.GetType(), second!.GetType());
        Assert.Equal(typeof(CustomResource), plain!.GetType());
        Assert.Equal("arn:aws:mock:::first", await Outputs.ValueAsync(PlanResources.Output(first, "arn")));
        Assert.Equal("second-id", await Outputs.ValueAsync(PlanResources.Output(second, "id")));
        Assert.Equal(await Outputs.ValueAsync(second.Urn), await Outputs.ValueAsync(PlanResources.Output(second, "urn")));
        Assert.Equal("plain-id", await Outputs.ValueAsync(PlanResources.Output(plain, "id")));
        var error = Assert.Throws<InvalidOperationException>(() => PlanResources.Output(first, "endpoint"));
        Assert.Contains("'first'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'endpoint'", error.Message, StringComparison.Ordinal);
    }
}
