using Platform.Components.Planning;
using Platform.Components.Policies;

namespace Platform.Components.Tests.Policies;

/// <summary>How guardrails and costs read labels and selectors out of plan values.</summary>
public sealed class PlanReadingTests
{
    private static PlanValue.Map Map(params (string Key, PlanValue Value)[] entries) =>
        new([.. entries.Select(e => KeyValuePair.Create(e.Key, e.Value))]);

    [Fact]
    public void Strings_reads_a_maps_text_entries_as_a_dictionary_and_skips_the_rest()
    {
        var inputs = Map(("metadata", Map(("labels", Map(
            ("app", "orders"),
            ("replicas", 3),
            ("ref", PlanValue.Ref("ns", "metadata.name")),
            ("tier", "staging"))))));

        var labels = PlanReading.Strings(inputs, "metadata.labels");

        Assert.Equal(new Dictionary<string, string> { ["app"] = "orders", ["tier"] = "staging" }, labels);
        Assert.Equal(2, labels.Count);
        Assert.Equal("staging", labels["tier"]);
        Assert.True(labels.ContainsKey("app"));
        Assert.False(labels.ContainsKey("replicas"));
        Assert.False(labels.TryGetValue("ref", out _));
        Assert.Throws<KeyNotFoundException>(() => labels["replicas"]);
        Assert.Equal(["app", "tier"], labels.Keys);
        Assert.Equal(["orders", "staging"], labels.Values);
        Assert.Empty(PlanReading.Strings(inputs, "metadata.annotations"));
        Assert.Empty(PlanReading.Strings(Map(("labels", PlanValue.Map.Empty)), "labels"));
    }

    [Fact]
    public void A_selector_index_finds_a_selector_filed_under_a_pair_that_several_share()
    {
        Dictionary<string, string> Labels(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

        // All three are filed under ("a", "1"), their ordinally first pair; only the last selects the labels below.
        var index = new SelectorIndex(
        [
            Labels(("a", "1"), ("b", "2")),
            Labels(("a", "1"), ("c", "3")),
            Labels(("a", "1"), ("d", "4")),
            Labels(),
        ]);

        Assert.True(index.SelectsAny(Labels(("a", "1"), ("d", "4"), ("e", "5"))));
        Assert.True(index.SelectsAny(Labels(("a", "1"), ("b", "2"))));
        Assert.False(index.SelectsAny(Labels(("a", "1"), ("e", "5"))));
        Assert.False(index.SelectsAny(Labels(("d", "4"))));
        Assert.False(index.SelectsAny(Labels()));
    }
}
