using Platform.Components.Resources.Cache;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Resources.Cache;

/// <summary>Every tier setting of a cache is asserted here.</summary>
public sealed class CacheTiersTests
{
    [Fact]
    public void Dev_caches_are_one_small_node_without_snapshots() =>
        Assert.Equal(new CacheTiers("cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", 1, false, 0), CacheTiers.For(Tier.Dev));

    [Fact]
    public void Staging_caches_are_one_node_with_a_day_of_snapshots() =>
        Assert.Equal(new CacheTiers("cache.t4g.small", "cache.t4g.medium", "cache.m7g.large", 1, false, 1), CacheTiers.For(Tier.Staging));

    [Fact]
    public void Prod_caches_fail_over_across_zones_and_keep_a_week_of_snapshots() =>
        Assert.Equal(new CacheTiers("cache.m7g.large", "cache.m7g.xlarge", "cache.m7g.2xlarge", 2, true, 7), CacheTiers.For(Tier.Prod));

    [Fact]
    public void Every_node_type_of_every_tier_has_a_price()
    {
        var prices = Components.Costs.Prices.PriceTable.Load().Section(CacheKind.PriceSection, CachePricesJson.Default.CachePrices)!;
        Assert.All(Enum.GetValues<Tier>().SelectMany(t => CacheTiers.For(t).NodeTypes), n => Assert.True(prices.NodeTypes.ContainsKey(n), n));
        Assert.NotEmpty(prices.Sources);
    }
}
