using Microsoft.EntityFrameworkCore;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Quotas;

/// <summary>A team's limits; <see langword="null"/> for a limit means unlimited.</summary>
/// <param name="Dev">Live <c>dev</c> environments at most.</param>
/// <param name="Staging">Live <c>staging</c> environments at most.</param>
/// <param name="Prod">Live <c>prod</c> environments at most.</param>
/// <param name="MonthlyCost">Total estimated monthly cost of the live environments at most (the price table's currency, USD).</param>
public sealed record QuotaLimits(int? Dev = null, int? Staging = null, int? Prod = null, decimal? MonthlyCost = null)
{
    /// <summary>No limits at all.</summary>
    public bool IsUnlimited => Dev is null && Staging is null && Prod is null && MonthlyCost is null;

    /// <summary>The limit on live environments of <paramref name="tier"/>.</summary>
    public int? For(Tier tier) => tier switch
    {
        Tier.Dev => Dev,
        Tier.Staging => Staging,
        _ => Prod,
    };
}

/// <summary>Defaults for teams without a quota of their own: section <c>Platform:Quotas</c>.</summary>
public sealed class PlatformQuotaOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Platform:Quotas";

    /// <summary>
    /// The limits of every team an admin has not set a quota for (<c>Platform:Quotas:Default:Dev</c>, <c>:Staging</c>,
    /// <c>:Prod</c>, <c>:MonthlyCost</c>). <value>The default value is no limits: unlimited.</value>
    /// </summary>
    public QuotaLimits Default { get; set; } = new();
}

/// <summary>A team's quota as an admin set it (<c>PUT /v1/quotas/{team}</c>): it replaces the defaults for that team.</summary>
public sealed class TeamQuota
{
    /// <summary>The team.</summary>
    public required string Team { get; set; }

    /// <summary>Live <c>dev</c> environments at most; <see langword="null"/> for unlimited.</summary>
    public int? Dev { get; set; }

    /// <summary>Live <c>staging</c> environments at most; <see langword="null"/> for unlimited.</summary>
    public int? Staging { get; set; }

    /// <summary>Live <c>prod</c> environments at most; <see langword="null"/> for unlimited.</summary>
    public int? Prod { get; set; }

    /// <summary>Total estimated monthly cost at most; <see langword="null"/> for unlimited.</summary>
    public decimal? MonthlyCost { get; set; }

    /// <summary>When it was last set.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who last set it.</summary>
    public required string UpdatedBy { get; set; }

    /// <summary>Its limits.</summary>
    public QuotaLimits Limits => new(Dev, Staging, Prod, MonthlyCost);

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<TeamQuota>(e =>
    {
        e.ToTable("TeamQuotas");
        e.HasKey(x => x.Team);
        e.Ignore(x => x.Limits);
        e.Property(x => x.MonthlyCost).HasPrecision(18, 2);
    });
}
