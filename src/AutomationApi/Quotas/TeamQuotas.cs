using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Quotas;

/// <summary>What a team uses against its quota: live environments per tier and their total estimated monthly cost.</summary>
/// <param name="Dev">Live <c>dev</c> environments.</param>
/// <param name="Staging">Live <c>staging</c> environments.</param>
/// <param name="Prod">Live <c>prod</c> environments.</param>
/// <param name="MonthlyCost">Their estimated monthly cost: per environment the larger of its deployed estimate and the
/// estimate of the spec it was last accepted with (an update to a cheaper spec still runs the dearer one until it is deployed).</param>
public sealed record QuotaUsage(int Dev, int Staging, int Prod, decimal MonthlyCost)
{
    /// <summary>Live environments of <paramref name="tier"/>.</summary>
    public int For(Tier tier) => tier switch
    {
        Tier.Dev => Dev,
        Tier.Staging => Staging,
        _ => Prod,
    };
}

/// <summary>A request would take its team past a quota: answered <c>422</c>, naming the limit, the use and the request's share.</summary>
/// <param name="team">The team.</param>
/// <param name="quota">Which limit: <c>dev</c>, <c>staging</c>, <c>prod</c> (live environments) or <c>monthlyCost</c>.</param>
/// <param name="limit">The limit.</param>
/// <param name="current">What the team uses now (without the request).</param>
/// <param name="requested">What the request adds.</param>
public sealed class QuotaExceededException(string team, string quota, decimal limit, decimal current, decimal requested)
    : Exception(Describe(team, quota, limit, current, requested))
{
    /// <summary>The team.</summary>
    public string Team { get; } = team;

    /// <summary>Which limit.</summary>
    public string Quota { get; } = quota;

    /// <summary>The limit.</summary>
    public decimal Limit { get; } = limit;

    /// <summary>What the team uses now.</summary>
    public decimal Current { get; } = current;

    /// <summary>What the request adds.</summary>
    public decimal Requested { get; } = requested;

    /// <summary>The <c>422</c> problem: the message, with the team, the limit's name, the limit, the use and the request's share as members.</summary>
    public Microsoft.AspNetCore.Mvc.ProblemDetails ToProblem() => new()
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = "Quota exceeded",
        Detail = Message,
        Extensions =
        {
            ["team"] = Team,
            ["quota"] = Quota,
            ["limit"] = Limit,
            ["current"] = Current,
            ["requested"] = Requested,
        },
    };

    private static string Describe(string team, string quota, decimal limit, decimal current, decimal requested)
    {
        var figures = quota == TeamQuotas.MonthlyCost
            ? $"an estimated monthly cost of at most {Money(limit)}; its live environments come to {Money(current)} and this request adds {Money(requested)}"
            : $"at most {limit.ToString(CultureInfo.InvariantCulture)} live {quota} environment(s); it has {current.ToString(CultureInfo.InvariantCulture)} and this request adds {requested.ToString(CultureInfo.InvariantCulture)}";
        return $"Team '{team}' may have {figures}. Destroy an environment it no longer needs, or ask an admin to raise the quota (PUT /v1/quotas/{team}).";
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture) + " USD";
}

/// <summary>
/// Enforces the teams' quotas where environments are created and updated: <see cref="SaveAsync"/> saves the unit of
/// work only when the environment it creates or changes keeps its team within its quota. The check and the save are
/// one critical section per team, across replicas: on PostgreSQL a transaction holding an advisory lock on the team;
/// on SQLite (one instance per file) a lock in this process. A team without limits costs one key lookup.
/// </summary>
public sealed class TeamQuotas(IOptions<PlatformQuotaOptions> options)
{
    /// <summary>The name of the cost limit in problems.</summary>
    public const string MonthlyCost = "monthlyCost";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteTeamLocks = new(StringComparer.Ordinal);

    /// <summary>The limits that apply to <paramref name="team"/>: its own quota, else the configured defaults.</summary>
    public async Task<(QuotaLimits Limits, bool OwnQuota)> LimitsAsync(PlatformDbContext db, string team, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var own = await db.TeamQuotas.AsNoTracking().SingleOrDefaultAsync(q => q.Team == team, cancellationToken);
        return own is null ? (options.Value.Default ?? new(), false) : (own.Limits, true);
    }

    /// <summary>What <paramref name="team"/> uses now, without the environment <paramref name="except"/>.</summary>
    public static async Task<QuotaUsage> UsageAsync(PlatformDbContext db, string team, string? except, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var live = await db.Environments.AsNoTracking()
            .Where(e => e.Team == team && e.Status != EnvironmentStatus.Destroyed && e.Id != except)
            .Select(e => new { e.Tier, e.CostJson, e.AcceptedMonthlyCost })
            .ToListAsync(cancellationToken);
        return new QuotaUsage(
            live.Count(e => e.Tier == Tier.Dev),
            live.Count(e => e.Tier == Tier.Staging),
            live.Count(e => e.Tier == Tier.Prod),
            live.Sum(e => Math.Max(e.AcceptedMonthlyCost ?? 0, DeployedCost(e.CostJson))));
    }

    /// <summary>
    /// Saves <paramref name="db"/>'s unit of work, in which <paramref name="environment"/> is being created (added) or
    /// updated to <paramref name="spec"/>, if its team stays within its quota: a create needs room in its tier (and an
    /// update that moves it to another tier, in that one), and a create or an update that raises the environment's
    /// estimated monthly cost needs room under the cost limit. The cost is estimated only when a cost limit applies.
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="environment">The environment created or updated in it.</param>
    /// <param name="spec">The spec it is created with or updated to.</param>
    /// <param name="monthlyCost">The spec's estimated monthly cost, asked for only when a cost limit applies: from the
    /// plan the request's checks already compiled, never by compiling the spec again.</param>
    /// <param name="cancellationToken">Request abort.</param>
    /// <exception cref="QuotaExceededException">A limit would be passed; nothing was saved.</exception>
    /// <exception cref="DbUpdateException">The save failed (a lost race: the caller answers it as before).</exception>
    public async Task SaveAsync(PlatformDbContext db, EnvironmentRecord environment, EnvironmentSpec spec, Func<decimal> monthlyCost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(monthlyCost);
        var team = spec.Metadata.Team;
        var (limits, _) = await LimitsAsync(db, team, cancellationToken);
        if (limits.IsUnlimited)
        {
            environment.AcceptedMonthlyCost = null;
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var creating = db.Entry(environment).State == EntityState.Added;
        var previousCost = creating ? 0 : Math.Max(environment.AcceptedMonthlyCost ?? 0, DeployedCost(environment.CostJson));
        // Priced only under a cost limit: the estimate is work a team without one never pays for.
        decimal? cost = limits.MonthlyCost is null ? null : monthlyCost();

        environment.AcceptedMonthlyCost = cost;
        if (db.Database.IsNpgsql())
        {
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockClass}, hashtext({team}))", cancellationToken);
                await CheckAsync(db, team, environment, spec, creating, cost, previousCost, cancellationToken);
                await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
            db.ChangeTracker.AcceptAllChanges();
            return;
        }

        var gate = SqliteTeamLocks.GetOrAdd($"{db.Database.GetConnectionString()}\n{team}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await CheckAsync(db, team, environment, spec, creating, cost, previousCost, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CheckAsync(
        PlatformDbContext db, string team, EnvironmentRecord environment, EnvironmentSpec spec, bool creating, decimal? cost, decimal previousCost,
        CancellationToken cancellationToken)
    {
        // Read again inside the critical section: an admin may have changed the quota meanwhile.
        var (limits, _) = await LimitsAsync(db, team, cancellationToken);
        var usage = await UsageAsync(db, team, environment.Id, cancellationToken);
        if ((creating || environment.Tier != spec.Tier) && limits.For(spec.Tier) is { } tierLimit && usage.For(spec.Tier) + 1 > tierLimit)
        {
            throw new QuotaExceededException(team, spec.Tier.ToString().ToLowerInvariant(), tierLimit, usage.For(spec.Tier), 1);
        }

        if (limits.MonthlyCost is { } costLimit && cost is { } requested && requested > previousCost && usage.MonthlyCost + requested > costLimit)
        {
            throw new QuotaExceededException(team, MonthlyCost, costLimit, usage.MonthlyCost, requested);
        }
    }

    /// <summary>The monthly total of a deployed estimate (stored as the <c>CostEstimate</c> JSON); 0 when there is none.</summary>
    private static decimal DeployedCost(string? costJson)
    {
        if (costJson is null || JsonNode.Parse(costJson) is not JsonObject estimate)
        {
            return 0;
        }

        var total = estimate["monthlyTotal"] ?? estimate["MonthlyTotal"];
        return total is JsonValue value && value.TryGetValue<decimal>(out var amount) ? amount : 0;
    }

    // The first key of the two-key advisory locks: quota checks, apart from any other lock on a team's name.
    private const int LockClass = 0x71756f74; // "quot"
}
