using Platform.AutomationApi.Environments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Environments;

public sealed class EnvironmentExpiryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly EnvironmentSpec Dev = new(new EnvironmentMetadata("a", "t", "cc-1"), Tier.Dev, "default", null, [], []);

    [Fact]
    public void Prod_NeverExpires_WhateverItWasBefore() =>
        Assert.Null(EnvironmentExpiry.AfterDeploy(Dev with { Tier = Tier.Prod }, Tier.Staging, Now.AddDays(3), Now));

    [Fact]
    public void AnExplicitTtl_CountsFromTheDeployment() =>
        Assert.Equal(Now.AddHours(5), EnvironmentExpiry.AfterDeploy(Dev with { Ttl = TimeSpan.FromHours(5) }, Tier.Dev, Now.AddDays(2), Now));

    [Fact]
    public void NoTtl_KeepsTheCurrentExpiryWithinTheSameTier() =>
        Assert.Equal(Now.AddDays(2), EnvironmentExpiry.AfterDeploy(Dev, Tier.Dev, Now.AddDays(2), Now));

    [Theory]
    [InlineData(Tier.Prod)]
    [InlineData(Tier.Staging)]
    public void NoTtl_AfterATierChange_TakesTheNewTiersDefaultFromNow(Tier previous) =>
        Assert.Equal(Now.AddDays(3), EnvironmentExpiry.AfterDeploy(Dev, previous, previous == Tier.Prod ? null : Now.AddDays(60), Now));
}
