using Platform.Components.Resources.Queue;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Resources.Queue;

/// <summary>Every tier setting of a queue is asserted here.</summary>
public sealed class QueueTiersTests
{
    [Theory]
    [InlineData(Tier.Dev, 86_400)]
    [InlineData(Tier.Staging, 345_600)]
    [InlineData(Tier.Prod, 604_800)]
    public void Queues_keep_messages_longer_in_higher_tiers_and_hide_received_ones_for_30_seconds(Tier tier, int retention) =>
        Assert.Equal(new QueueTiers(retention, 30), QueueTiers.For(tier));

    // A standard queue's message keeps its first enqueue time in the dead-letter queue, whose retention counts from it.
    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Every_dead_letter_is_kept_at_least_a_week(Tier tier) =>
        Assert.True(QueueResources.DeadLetterRetentionSeconds - QueueTiers.For(tier).RetentionSeconds >= 7 * 86_400);
}
