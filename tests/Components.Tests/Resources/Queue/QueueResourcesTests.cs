using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Resources.Queue;
using Platform.Components.Specs;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Resources.Queue;

public sealed class QueueResourcesTests
{
    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void The_queue_is_encrypted_timed_by_the_tier_and_redrives_to_its_dead_letter_queue(Tier tier)
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var profile = QueueTiers.For(tier);
        var queue = plan["events-queue"];
        var dlq = plan["events-dlq"];
        var redrive = Assert.IsType<PlanValue.Json>(queue.Inputs.At("redrivePolicy"));

        Assert.Equal(AwsTypes.Queue, queue.Type);
        Assert.Equal("events", queue.Component);
        Assert.True(queue.Inputs.At("sqsManagedSseEnabled").Bool());
        Assert.Equal(profile.VisibilityTimeoutSeconds, queue.Inputs.At("visibilityTimeoutSeconds").Number());
        Assert.Equal(profile.RetentionSeconds, queue.Inputs.At("messageRetentionSeconds").Number());
        Assert.Equal(PlanValue.Ref("events-dlq", "arn"), redrive.Value.At("deadLetterTargetArn"));
        Assert.Equal(QueueResources.MaxReceiveCount, redrive.Value.At("maxReceiveCount").Number());

        Assert.Equal(AwsTypes.Queue, dlq.Type);
        Assert.True(dlq.Inputs.At("sqsManagedSseEnabled").Bool());
        Assert.Equal(1_209_600, dlq.Inputs.At("messageRetentionSeconds").Number());
        Assert.Null(dlq.Inputs.At("redrivePolicy"));
        Assert.Equal("checkout-staging-events", queue.Inputs.At("name").Text());
        Assert.Equal("checkout-staging-events-dlq", dlq.Inputs.At("name").Text());
    }

    // A standard queue's message keeps its first enqueue time in the dead-letter queue, whose retention then counts
    // from it; a FIFO queue's starts again there (SQS Developer Guide, dead-letter queue retention).
    [Theory]
    [InlineData(Tier.Dev, false, 86_400)]
    [InlineData(Tier.Staging, false, 345_600)]
    [InlineData(Tier.Prod, false, 604_800)]
    [InlineData(Tier.Dev, true, 86_400)]
    [InlineData(Tier.Staging, true, 345_600)]
    [InlineData(Tier.Prod, true, 1_209_600)]
    public void A_standard_queues_dead_letters_are_kept_at_least_a_week_and_fifo_queues_keep_the_tiers_retention(Tier tier, bool fifo, int retention)
    {
        var spec = TestSpecs.CheckoutStaging(tier) with { Resources = [ResourceSpec.Create("events", "queue").With("fifo", fifo ? "true" : "false")] };
        var plan = AwsPlans.Compile(spec);
        var queueRetention = plan["events-queue"].Inputs.At("messageRetentionSeconds").Number();
        var deadLetterRetention = plan["events-dlq"].Inputs.At("messageRetentionSeconds").Number();

        Assert.Equal(retention, queueRetention);
        Assert.Equal(1_209_600, deadLetterRetention);
        if (!fifo)
        {
            Assert.True(deadLetterRetention - queueRetention >= 7 * 86_400, $"{tier}: dead letters may be kept only {deadLetterRetention - queueRetention} s.");
        }
    }

    [Fact]
    public void Fifo_queues_and_their_dead_letter_queues_are_both_fifo()
    {
        var spec = TestSpecs.CheckoutStaging() with { Resources = [ResourceSpec.Create("events", "queue").With("fifo", "true")] };
        var plan = AwsPlans.Compile(spec);

        foreach (var name in new[] { "events-queue", "events-dlq" })
        {
            var queue = plan[name];
            Assert.True(queue.Inputs.At("fifoQueue").Bool());
            Assert.EndsWith(".fifo", queue.Inputs.At("name").Text(), StringComparison.Ordinal);
            Assert.True(queue.Inputs.At("name").Text()!.Length <= 80);
        }
    }

    [Fact]
    public void Standard_queues_state_no_fifo_settings()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Null(plan["events-queue"].Inputs.At("fifoQueue"));
        Assert.Null(plan["events-queue"].Inputs.At("contentBasedDeduplication"));
    }

    [Fact]
    public void The_queue_urls_are_outputs()
    {
        var plan = AwsPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal(PlanValue.Ref("events-queue", "url"), plan.Outputs.Single(o => o.Name == "eventsQueueUrl").Value);
        Assert.Equal(PlanValue.Ref("events-dlq", "url"), plan.Outputs.Single(o => o.Name == "eventsDeadLetterQueueUrl").Value);
    }
}
