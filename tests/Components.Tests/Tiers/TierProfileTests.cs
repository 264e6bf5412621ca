using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Tiers;

/// <summary>Every tier default is a promise to users (and in the README's table); each one is asserted here.</summary>
public sealed class TierProfileTests
{
    [Fact]
    public void Dev_defaults()
    {
        var p = TierProfile.Dev;
        Assert.Equal(Tier.Dev, p.Tier);
        Assert.Equal(new ReplicaRange(1, 1), p.DefaultReplicas);
        Assert.Equal((1, 3), (p.MinReplicasAllowed, p.MaxReplicasAllowed));
        Assert.Equal(("100m", "128Mi"), (p.DefaultCpuRequest, p.DefaultMemoryRequest));
        Assert.Equal(("1", "2Gi"), (p.MaxCpuRequest, p.MaxMemoryRequest));
        Assert.Equal((2m, 2m), (p.CpuLimitFactor, p.MemoryLimitFactor));
        Assert.Equal(80, p.TargetCpuUtilization);
        Assert.False(p.DisruptionBudget);
        Assert.False(p.ZoneSpread);
        Assert.Equal(("1", "1"), (p.RollingMaxSurge, p.RollingMaxUnavailable));
        Assert.Equal(("4", "8Gi", 20), (p.QuotaCpu, p.QuotaMemory, p.QuotaPods));
        Assert.Equal(7, p.LogRetentionDays);
        Assert.Equal(TimeSpan.FromDays(3), p.DefaultTtl);
        Assert.Equal(TimeSpan.FromDays(14), p.MaxTtl);
    }

    [Fact]
    public void Staging_defaults()
    {
        var p = TierProfile.Staging;
        Assert.Equal(Tier.Staging, p.Tier);
        Assert.Equal(new ReplicaRange(2, 4), p.DefaultReplicas);
        Assert.Equal((1, 10), (p.MinReplicasAllowed, p.MaxReplicasAllowed));
        Assert.Equal(("250m", "256Mi"), (p.DefaultCpuRequest, p.DefaultMemoryRequest));
        Assert.Equal(("2", "4Gi"), (p.MaxCpuRequest, p.MaxMemoryRequest));
        Assert.Equal((2m, 1.5m), (p.CpuLimitFactor, p.MemoryLimitFactor));
        Assert.Equal(70, p.TargetCpuUtilization);
        Assert.True(p.DisruptionBudget);
        Assert.True(p.ZoneSpread);
        Assert.Equal(("25%", "0"), (p.RollingMaxSurge, p.RollingMaxUnavailable));
        Assert.Equal(("16", "32Gi", 100), (p.QuotaCpu, p.QuotaMemory, p.QuotaPods));
        Assert.Equal(30, p.LogRetentionDays);
        Assert.Equal(TimeSpan.FromDays(14), p.DefaultTtl);
        Assert.Equal(TimeSpan.FromDays(90), p.MaxTtl);
    }

    [Fact]
    public void Prod_defaults()
    {
        var p = TierProfile.Prod;
        Assert.Equal(Tier.Prod, p.Tier);
        Assert.Equal(new ReplicaRange(3, 10), p.DefaultReplicas);
        Assert.Equal((2, 50), (p.MinReplicasAllowed, p.MaxReplicasAllowed));
        Assert.Equal(("500m", "512Mi"), (p.DefaultCpuRequest, p.DefaultMemoryRequest));
        Assert.Equal(("4", "8Gi"), (p.MaxCpuRequest, p.MaxMemoryRequest));
        Assert.Equal((2m, 1m), (p.CpuLimitFactor, p.MemoryLimitFactor));
        Assert.Equal(70, p.TargetCpuUtilization);
        Assert.True(p.DisruptionBudget);
        Assert.True(p.ZoneSpread);
        Assert.Equal(("25%", "0"), (p.RollingMaxSurge, p.RollingMaxUnavailable));
        Assert.Equal(("64", "128Gi", 500), (p.QuotaCpu, p.QuotaMemory, p.QuotaPods));
        Assert.Equal(90, p.LogRetentionDays);
        Assert.Null(p.DefaultTtl);
        Assert.Null(p.MaxTtl);
    }

    [Fact]
    public void Tiers_only_get_stricter()
    {
        var (dev, staging, prod) = (TierProfile.Dev, TierProfile.Staging, TierProfile.Prod);
        Assert.True(dev.DefaultReplicas.Min <= staging.DefaultReplicas.Min && staging.DefaultReplicas.Min <= prod.DefaultReplicas.Min);
        Assert.True(prod.MemoryLimitFactor <= staging.MemoryLimitFactor && staging.MemoryLimitFactor <= dev.MemoryLimitFactor);
        Assert.All(TierProfile.All, p => Assert.True(p.DefaultReplicas.Min >= p.MinReplicasAllowed && p.DefaultReplicas.Max <= p.MaxReplicasAllowed));
        Assert.All(TierProfile.All, p => Assert.True(p.DefaultTtl <= p.MaxTtl || p.MaxTtl is null));
    }

    [Fact]
    public void For_returns_the_profile_of_each_tier()
    {
        Assert.Equal([Tier.Dev, Tier.Staging, Tier.Prod], TierProfile.All.Select(p => p.Tier));
        Assert.All(Enum.GetValues<Tier>(), t => Assert.Equal(t, TierProfile.For(t).Tier));
    }
}
