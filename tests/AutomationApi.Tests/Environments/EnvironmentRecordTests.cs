using Platform.AutomationApi.Environments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Environments;

public sealed class EnvironmentRecordTests
{
    private static EnvironmentRecord Record() => new()
    {
        Id = "env_1",
        Name = "shop-dev",
        Team = "payments",
        Tier = Tier.Dev,
        Target = "default",
        SpecText = "",
    };

    [Theory]
    [InlineData(EnvironmentStatus.Ready)]
    [InlineData(EnvironmentStatus.Failed)]
    [InlineData(EnvironmentStatus.Partial)]
    [InlineData(EnvironmentStatus.NeedsRepair)]
    [InlineData(EnvironmentStatus.Creating)]
    [InlineData(EnvironmentStatus.Destroying)]
    public void Destroyed_IsFinal(EnvironmentStatus later)
    {
        var record = Record();
        record.Status = EnvironmentStatus.Destroying;
        record.Status = EnvironmentStatus.Destroyed;

        record.Status = later;

        Assert.Equal(EnvironmentStatus.Destroyed, record.Status);
        Assert.False(record.IsLive);
    }

    [Fact]
    public void EveryOtherStatus_CanChange()
    {
        var record = Record();
        foreach (var status in Enum.GetValues<EnvironmentStatus>().Where(s => s != EnvironmentStatus.Destroyed))
        {
            record.Status = status;
            Assert.Equal(status, record.Status);
        }
    }
}
