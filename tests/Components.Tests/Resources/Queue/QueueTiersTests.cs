using Platform.Components.Resources.Queue;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Resources.Queue;

/// <summary>Every tier setting of a queue is asserted here.</summary>
public sealed class QueueTiersTests
{
    [Theory]
    [InlineData(Tier.Dev, 86_400, 86_400)]
    [InlineData(Tier.Staging, 345_600, 345_600)]
    [InlineData(Tier.Prod, 604_800, 1_209_600)]
    public void Queues_keep_messages_longer_in_higher_tiers_and_hide_received_ones_for_30_seconds(Tier tier, int retention, int fifoRetention) =>
        Assert.Equal(new QueueTiers(retention, fifoRetention, 30), QueueTiers.For(tier));
}
