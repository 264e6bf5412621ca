using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Tiers;

/// <summary>
/// Every default and guardrail that depends on the environment tier, in one table.
/// The settings of managed resources (database classes, bucket versioning, …) belong to their kinds
/// (each kind's <c>TierSettings</c>); the README's defaults table shows both and a test asserts each one.
/// </summary>
/// <remarks>
/// <code>
/// setting                         dev            staging         prod
/// default replicas (min..max)     1..1           2..4            3..10
/// max replicas allowed            3              10              50
/// min replicas allowed            1              1               2
/// default CPU / memory request    100m / 128Mi   250m / 256Mi    500m / 512Mi
/// max CPU / memory request        1 / 2Gi        2 / 4Gi         4 / 8Gi
/// CPU limit / memory limit        2x / 2x req    2x / 1.5x req   2x / 1x req
/// HPA target CPU utilisation      80%            70%             70%
/// PodDisruptionBudget             none           maxUnavailable 1  maxUnavailable 1
/// zone topology spread            no             yes             yes
/// rolling update surge/unavail.   1 / 1          25% / 0         25% / 0
/// namespace quota cpu/mem/pods    4 / 8Gi / 20   16 / 32Gi / 100 64 / 128Gi / 500
/// log retention days              7              30              90
/// default TTL / max TTL           3d / 14d       14d / 90d       never / never
/// </code>
/// </remarks>
public sealed record TierProfile
{
    /// <summary>The tier this profile describes.</summary>
    public required Tier Tier { get; init; }

    /// <summary>Replica bounds when a service declares none.</summary>
    public required ReplicaRange DefaultReplicas { get; init; }

    /// <summary>The fewest replicas a long-running service may ask for.</summary>
    public required int MinReplicasAllowed { get; init; }

    /// <summary>The most replicas a service may ask for.</summary>
    public required int MaxReplicasAllowed { get; init; }

    /// <summary>CPU request when a service declares none.</summary>
    public required string DefaultCpuRequest { get; init; }

    /// <summary>Memory request when a service declares none.</summary>
    public required string DefaultMemoryRequest { get; init; }

    /// <summary>The largest CPU request a service may declare.</summary>
    public required string MaxCpuRequest { get; init; }

    /// <summary>The largest memory request a service may declare.</summary>
    public required string MaxMemoryRequest { get; init; }

    /// <summary>CPU limit as a multiple of the request.</summary>
    public required decimal CpuLimitFactor { get; init; }

    /// <summary>Memory limit as a multiple of the request.</summary>
    public required decimal MemoryLimitFactor { get; init; }

    /// <summary>Average CPU utilisation the autoscaler aims for, in percent.</summary>
    public required int TargetCpuUtilization { get; init; }

    /// <summary>Whether long-running services get a PodDisruptionBudget.</summary>
    public required bool DisruptionBudget { get; init; }

    /// <summary>Whether pods are spread across zones.</summary>
    public required bool ZoneSpread { get; init; }

    /// <summary>Rolling update <c>maxSurge</c>.</summary>
    public required string RollingMaxSurge { get; init; }

    /// <summary>Rolling update <c>maxUnavailable</c>.</summary>
    public required string RollingMaxUnavailable { get; init; }

    /// <summary>Namespace ResourceQuota: total CPU requests.</summary>
    public required string QuotaCpu { get; init; }

    /// <summary>Namespace ResourceQuota: total memory requests.</summary>
    public required string QuotaMemory { get; init; }

    /// <summary>Namespace ResourceQuota: pod count.</summary>
    public required int QuotaPods { get; init; }






    /// <summary>Days logs are kept.</summary>
    public required int LogRetentionDays { get; init; }





    /// <summary>Lifetime when the spec names none; <see langword="null"/> means never expires.</summary>
    public required TimeSpan? DefaultTtl { get; init; }

    /// <summary>The longest lifetime a spec or an extension may ask for; <see langword="null"/> means unbounded.</summary>
    public required TimeSpan? MaxTtl { get; init; }

    /// <summary>Development: cheap, single replica, expires after three days.</summary>
    public static TierProfile Dev { get; } = new()
    {
        Tier = Tier.Dev,
        DefaultReplicas = new ReplicaRange(1, 1),
        MinReplicasAllowed = 1,
        MaxReplicasAllowed = 3,
        DefaultCpuRequest = "100m",
        DefaultMemoryRequest = "128Mi",
        MaxCpuRequest = "1",
        MaxMemoryRequest = "2Gi",
        CpuLimitFactor = 2m,
        MemoryLimitFactor = 2m,
        TargetCpuUtilization = 80,
        DisruptionBudget = false,
        ZoneSpread = false,
        RollingMaxSurge = "1",
        RollingMaxUnavailable = "1",
        QuotaCpu = "4",
        QuotaMemory = "8Gi",
        QuotaPods = 20,
        LogRetentionDays = 7,
        DefaultTtl = TimeSpan.FromDays(3),
        MaxTtl = TimeSpan.FromDays(14),
    };

    /// <summary>Staging: production-shaped, smaller, expires after two weeks.</summary>
    public static TierProfile Staging { get; } = new()
    {
        Tier = Tier.Staging,
        DefaultReplicas = new ReplicaRange(2, 4),
        MinReplicasAllowed = 1,
        MaxReplicasAllowed = 10,
        DefaultCpuRequest = "250m",
        DefaultMemoryRequest = "256Mi",
        MaxCpuRequest = "2",
        MaxMemoryRequest = "4Gi",
        CpuLimitFactor = 2m,
        MemoryLimitFactor = 1.5m,
        TargetCpuUtilization = 70,
        DisruptionBudget = true,
        ZoneSpread = true,
        RollingMaxSurge = "25%",
        RollingMaxUnavailable = "0",
        QuotaCpu = "16",
        QuotaMemory = "32Gi",
        QuotaPods = 100,
        LogRetentionDays = 30,
        DefaultTtl = TimeSpan.FromDays(14),
        MaxTtl = TimeSpan.FromDays(90),
    };

    /// <summary>Production: redundant, protected, never expires.</summary>
    public static TierProfile Prod { get; } = new()
    {
        Tier = Tier.Prod,
        DefaultReplicas = new ReplicaRange(3, 10),
        MinReplicasAllowed = 2,
        MaxReplicasAllowed = 50,
        DefaultCpuRequest = "500m",
        DefaultMemoryRequest = "512Mi",
        MaxCpuRequest = "4",
        MaxMemoryRequest = "8Gi",
        CpuLimitFactor = 2m,
        MemoryLimitFactor = 1m,
        TargetCpuUtilization = 70,
        DisruptionBudget = true,
        ZoneSpread = true,
        RollingMaxSurge = "25%",
        RollingMaxUnavailable = "0",
        QuotaCpu = "64",
        QuotaMemory = "128Gi",
        QuotaPods = 500,
        LogRetentionDays = 90,
        DefaultTtl = null,
        MaxTtl = null,
    };

    /// <summary>All profiles, in tier order.</summary>
    public static ImmutableArray<TierProfile> All { get; } = [Dev, Staging, Prod];

    /// <summary>The profile of a tier.</summary>
    public static TierProfile For(Tier tier) => tier switch
    {
        Tier.Dev => Dev,
        Tier.Staging => Staging,
        Tier.Prod => Prod,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier."),
    };
}
