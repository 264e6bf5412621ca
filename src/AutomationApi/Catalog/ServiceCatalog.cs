using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;
using Platform.Components.Costs;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.AutomationApi.Catalog;

/// <summary>One service of one live environment, as the catalog shows it.</summary>
/// <param name="Name">The service's name.</param>
/// <param name="Environment">The environment it runs in.</param>
/// <param name="Team">The owning team.</param>
/// <param name="CostCenter">The environment's cost center.</param>
/// <param name="Tier">The environment's tier.</param>
/// <param name="Target">The deployment target.</param>
/// <param name="Status">The environment's status.</param>
/// <param name="Type">Web, worker or cron.</param>
/// <param name="Image">The image of the environment's current spec.</param>
/// <param name="Uses">What it talks to (services and resources), as the spec lists it.</param>
/// <param name="UsedBy">The services of the same environment that use it.</param>
/// <param name="Url">The public URL of a web service with a host; otherwise <see langword="null"/>.</param>
/// <param name="EstimatedMonthlyCost">Its share of the environment's deployed cost estimate; <see langword="null"/> before the first successful deployment.</param>
/// <param name="Currency">The estimate's currency, when there is one.</param>
public sealed record CatalogService(
    string Name,
    string Environment,
    string Team,
    string CostCenter,
    Tier Tier,
    string Target,
    EnvironmentStatus Status,
    ServiceType Type,
    string Image,
    IReadOnlyList<string> Uses,
    IReadOnlyList<string> UsedBy,
    Uri? Url,
    decimal? EstimatedMonthlyCost,
    string? Currency);

/// <summary>A live environment's catalog facts: its services and the deployed cost estimate by component.</summary>
/// <param name="Name">The environment.</param>
/// <param name="Team">Owning team.</param>
/// <param name="CostCenter">Cost center.</param>
/// <param name="Tier">Tier.</param>
/// <param name="Services">Its services.</param>
/// <param name="Cost">The stored estimate of its last successful deployment; <see langword="null"/> when it has none yet.</param>
public sealed record CatalogEnvironment(
    string Name,
    string Team,
    string CostCenter,
    Tier Tier,
    ImmutableArray<CatalogService> Services,
    StoredCost? Cost);

/// <summary>The parts of a stored <see cref="CostEstimate"/> the catalog and cost views read.</summary>
/// <param name="MonthlyTotal">The environment's total.</param>
/// <param name="Currency">Currency.</param>
/// <param name="Components">Per component (service, cloud resource, or <c>(environment)</c>); they sum to the total.</param>
public sealed record StoredCost(decimal MonthlyTotal, string Currency, ImmutableArray<ComponentCost> Components);

/// <summary>
/// Reads every live environment into catalog facts. Nothing is compiled: the services come from the stored spec and the
/// costs from the estimate stored with the last successful deployment (what <c>GET /v1/environments/{name}</c> shows as
/// <c>costEstimate</c>), so catalog and cost figures always equal the per-environment ones. Decrypting and parsing a
/// spec is the only real work, and it is done once per stored version of a record (its row version changes on every
/// write), so repeated reads cost a query.
/// </summary>
public sealed class ServiceCatalog(IDbContextFactory<PlatformDbContext> dbFactory, SpecProtector protector, TargetSettings targets)
{
    private static readonly JsonSerializerOptions Json = SpecJson.Options;

    private readonly ConcurrentDictionary<string, (Guid Version, CatalogEnvironment Entry)> _cache = new(StringComparer.Ordinal);

    /// <summary>Every live environment (not destroyed), ordered by name.</summary>
    public async Task<IReadOnlyList<CatalogEnvironment>> LiveEnvironmentsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var records = await db.Environments.AsNoTracking()
            .Where(e => e.Status != EnvironmentStatus.Destroyed)
            .OrderBy(e => e.Name)
            .ToListAsync(cancellationToken);
        var live = new List<CatalogEnvironment>(records.Count);
        foreach (var record in records)
        {
            if (_cache.TryGetValue(record.Id, out var cached) && cached.Version == record.Version)
            {
                live.Add(cached.Entry);
                continue;
            }

            var entry = Read(record);
            _cache[record.Id] = (record.Version, entry);
            live.Add(entry);
        }

        // Destroyed incarnations leave the cache with the next read.
        if (_cache.Count > records.Count)
        {
            var ids = records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var id in _cache.Keys.Where(k => !ids.Contains(k)))
            {
                _cache.TryRemove(id, out _);
            }
        }

        return live;
    }

    private CatalogEnvironment Read(EnvironmentRecord record)
    {
        var cost = record.CostJson is { } json ? ReadCost(json) : null;
        var spec = EnvironmentCompiler.Parse(protector.Unprotect(record.SpecText)).Spec;
        if (spec is null)
        {
            // A stored spec always parsed when it was accepted; one that no longer does shows no services.
            return new CatalogEnvironment(record.Name, record.Team, "", record.Tier, [], cost);
        }

        var baseDomain = targets.TryGet(record.Target, out var target) ? target.BaseDomain : DeploymentTarget.DefaultBaseDomain;
        var services = spec.Services.Select(service => new CatalogService(
                service.Name, record.Name, record.Team, spec.Metadata.CostCenter, record.Tier, record.Target, record.Status,
                service.Type, service.Image,
                [.. service.Uses],
                [.. spec.Services.Where(s => s.Uses.Contains(service.Name, StringComparer.Ordinal)).Select(s => s.Name)],
                service.Type == ServiceType.Web && service.Host is { } host ? new Uri($"https://{host}.{record.Name}.{baseDomain}/") : null,
                cost?.Components.Where(c => c.Component == service.Name).Sum(c => c.Monthly),
                cost?.Currency))
            .ToImmutableArray();
        return new CatalogEnvironment(record.Name, record.Team, spec.Metadata.CostCenter, record.Tier, services, cost);
    }

    private static StoredCost? ReadCost(string json)
    {
        var estimate = JsonSerializer.Deserialize<CostEstimate>(json, Json);
        return estimate is null ? null : new StoredCost(estimate.MonthlyTotal, estimate.Currency, estimate.Components);
    }
}
