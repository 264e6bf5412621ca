using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components.Planning;

namespace Platform.AutomationApi.Environments;

/// <summary>
/// An environment's history: every operation of every incarnation of its name, newest first, a page at a time, each
/// with the plan diff it applied (against the plan deployed before it).
/// </summary>
public sealed class EnvironmentHistory(
    PlatformDbContext db, EnvironmentLookup environments, EnvironmentCompiler compiler, SpecProtector protector, IOptions<PlatformOptions> options)
{
    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 200;

    /// <summary>
    /// The page of <paramref name="name"/>'s operations before <paramref name="cursor"/> (from the newest when
    /// <see langword="null"/>), at most <paramref name="limit"/> of them (<see cref="PlatformOptions.DefaultPageSize"/>
    /// when <see langword="null"/>). Refused when the limit or cursor is invalid (400 naming the field) or the name was
    /// never used (404).
    /// </summary>
    public async Task<LifecycleResult<HistoryPage>> PageAsync(string name, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = limit ?? options.Value.DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return Refusals.Field("limit", $"The page size must be between 1 and {MaxPageSize}.");
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                return Refusals.Field("cursor", "The cursor is not one this service issued; start again without it.");
            }

            before = sequence;
        }

        // The route's access filter read the environment already: the lookup answers from that read.
        if (await environments.FindAsync(name, cancellationToken) is null)
        {
            return Refusals.EnvironmentNotFound(name);
        }

        var query = db.Operations.AsNoTracking().Where(o => o.EnvironmentName == name);
        if (before is { } last)
        {
            query = query.Where(o => o.Sequence < last);
        }

        var page = await query.OrderByDescending(o => o.Sequence).Take(pageSize + 1).ToListAsync(cancellationToken);
        var items = page.Take(pageSize).ToList();
        var plans = await DeployedPlansAsync(items, cancellationToken);
        var next = page.Count > pageSize ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return new HistoryPage([.. items.Select(o => new HistoryItem(o, plans.DiffOf(o)))], next);
    }

    // The successful creates and updates of the page's incarnations: the plan each deployment replaced is the latest
    // of them of the same incarnation before it.
    private async Task<DeployedPlans> DeployedPlansAsync(List<StackOperation> items, CancellationToken cancellationToken)
    {
        var incarnations = items.Select(o => o.EnvironmentId).Distinct().ToList();
        var deployments = await db.Operations.AsNoTracking()
            .Where(o => incarnations.Contains(o.EnvironmentId) && o.State == OperationState.Succeeded &&
                        (o.Kind == OperationKind.Create || o.Kind == OperationKind.Update))
            .OrderBy(o => o.Sequence)
            .Select(o => new Deployment(o.Sequence, o.EnvironmentId, o.SpecText))
            .ToListAsync(cancellationToken);
        return new DeployedPlans(deployments, this);
    }

    private ResourcePlan? Compile(string? specText) =>
        specText is null ? null : compiler.CompileDeployed(protector.Unprotect(specText) ?? "").Environment?.Plan;

    private sealed record Deployment(long Sequence, string EnvironmentId, string? SpecText);

    // Compiles each stored spec once however many entries of the page need its plan.
    private sealed class DeployedPlans(List<Deployment> deployments, EnvironmentHistory history)
    {
        private readonly Dictionary<long, ResourcePlan?> _plans = [];

        public PlanDiff? DiffOf(StackOperation o) => o.Kind switch
        {
            OperationKind.Create or OperationKind.Update when PlanOf(o.Sequence, o.SpecText) is { } plan => PlanDiff.Between(DeployedBefore(o), plan),
            OperationKind.Preview when o.SpecText is not null && PlanOf(o.Sequence, o.SpecText) is { } plan => PlanDiff.Between(DeployedBefore(o), plan),
            OperationKind.Destroy when DeployedBefore(o) is { } plan => new PlanDiff([], [.. plan.Resources.Select(r => $"{r.Name} ({r.Type})")], []),
            _ => null,
        };

        private ResourcePlan? DeployedBefore(StackOperation operation) =>
            deployments.LastOrDefault(d => d.EnvironmentId == operation.EnvironmentId && d.Sequence < operation.Sequence) is { } previous
                ? PlanOf(previous.Sequence, previous.SpecText)
                : null;

        private ResourcePlan? PlanOf(long sequence, string? specText)
        {
            if (!_plans.TryGetValue(sequence, out var plan))
            {
                plan = history.Compile(specText);
                _plans[sequence] = plan;
            }

            return plan;
        }
    }
}

/// <summary>One page of an environment's history, newest first.</summary>
/// <param name="Items">The operations, each with the plan diff it applied.</param>
/// <param name="NextCursor">Where the next page starts; <see langword="null"/> on the last page.</param>
public sealed record HistoryPage(IReadOnlyList<HistoryItem> Items, string? NextCursor);

/// <summary>An operation of an environment's history.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="PlanDiff">
/// For a create or update, how its plan differs from the one deployed before it; for a destroy, every resource it
/// removed; for a preview with a candidate spec, the diff it previewed. <see langword="null"/> for refreshes, and when
/// a spec no longer compiles against today's targets.
/// </param>
public sealed record HistoryItem(StackOperation Operation, PlanDiff? PlanDiff);
