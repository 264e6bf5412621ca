using Platform.Components.Resources.Postgres;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Resources.Postgres;

/// <summary>Every tier setting of a database is a promise to users (and in the README's table); each one is asserted here.</summary>
public sealed class PostgresTiersTests
{
    [Fact]
    public void Dev_databases_are_small_single_zone_and_disposable()
    {
        var p = PostgresTiers.For(Tier.Dev);
        Assert.Equal(["db.t4g.micro", "db.t4g.small", "db.t4g.medium"], p.InstanceClassList);
        Assert.Equal(20, p.StorageGb);
        Assert.False(p.MultiAz);
        Assert.Equal(1, p.BackupRetentionDays);
        Assert.False(p.DeletionProtection);
    }

    [Fact]
    public void Staging_databases_are_backed_up_for_a_week()
    {
        var p = PostgresTiers.For(Tier.Staging);
        Assert.Equal(["db.t4g.small", "db.t4g.medium", "db.m7g.large"], p.InstanceClassList);
        Assert.Equal(50, p.StorageGb);
        Assert.False(p.MultiAz);
        Assert.Equal(7, p.BackupRetentionDays);
        Assert.False(p.DeletionProtection);
    }

    [Fact]
    public void Prod_databases_are_multi_az_protected_and_kept_for_a_month()
    {
        var p = PostgresTiers.For(Tier.Prod);
        Assert.Equal(["db.m7g.large", "db.m7g.xlarge", "db.m7g.2xlarge"], p.InstanceClassList);
        Assert.Equal(100, p.StorageGb);
        Assert.True(p.MultiAz);
        Assert.Equal(30, p.BackupRetentionDays);
        Assert.True(p.DeletionProtection);
    }

    [Fact]
    public void Backups_only_get_longer_with_the_tier()
    {
        var (dev, staging, prod) = (PostgresTiers.For(Tier.Dev), PostgresTiers.For(Tier.Staging), PostgresTiers.For(Tier.Prod));
        Assert.True(dev.BackupRetentionDays < staging.BackupRetentionDays && staging.BackupRetentionDays < prod.BackupRetentionDays);
    }
}
