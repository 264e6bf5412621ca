using k8s.Models;
using Platform.Components.Kubernetes;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>
/// <see cref="ComputeSizing"/> keeps sizings and quantities it has worked out (the arithmetic is big-integer work), up
/// to a bound: whatever it has kept, and however many odd values it has seen, the answers are those of working them
/// out again.
/// </summary>
public sealed class ComputeSizingTests
{
    [Fact]
    public void Kept_sizings_and_quantities_answer_as_new_ones_do_after_the_tables_overflow()
    {
        var profile = TierProfile.For(Tier.Staging);
        var before = ComputeSizing.From("250m", "512Mi", profile);

        // More distinct values than the tables keep (1,024 each): they start over instead of freezing.
        for (var i = 1; i <= 2_500; i++)
        {
            Assert.Equal(new ResourceQuantity($"{i}m").CanonicalizeString(), ComputeSizing.From($"{i}m", "512Mi", profile).CpuRequest);
            Assert.Equal(new ResourceQuantity($"{i}Mi").ToString(), ComputeSizing.Quantity($"{i}Mi").ToString());
        }

        var after = ComputeSizing.From("250m", "512Mi", profile);
        Assert.Equal(before, after);
        Assert.Equal("250m", after.CpuRequest);
        Assert.Equal("512Mi", after.MemoryRequest);
        Assert.Same(ComputeSizing.Quantity("250m"), ComputeSizing.Quantity("250m")); // kept again once in use
        Assert.Equal("1536Mi", ComputeSizing.Quantity("1.5Gi").ToString());
    }
}
