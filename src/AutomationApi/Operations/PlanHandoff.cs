using System.Collections.Concurrent;
using Platform.Components;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// The plans a request's checks compiled (<see cref="Environments.EnvironmentCompiler.Inspect"/>), kept in this
/// process for the operation that deploys them, so a create or an update that runs on the replica that accepted it is
/// compiled once, not twice. Only a shortcut: the stored spec stays the authority, and an operation that finds no plan
/// here (run by another replica, after a restart, past <see cref="Capacity"/>) compiles its spec as before. The plan
/// was made from that same spec, in this process, with the same targets and guardrail settings.
/// </summary>
public sealed class PlanHandoff(TimeProvider time)
{
    /// <summary>The most plans kept at once; later ones are not kept (their operations compile again).</summary>
    public const int Capacity = 256;

    /// <summary>How long a plan is kept for an operation that does not come for it (claimed by another replica, cancelled).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (SpecInspection Inspection, DateTimeOffset At)> _plans = new(StringComparer.Ordinal);

    /// <summary>How many plans are kept now.</summary>
    public int Count => _plans.Count;

    /// <summary>
    /// Keeps <paramref name="inspection"/> for <paramref name="operationId"/> (just saved, so it is queued): only a spec
    /// that may be deployed, and only while there is room. Oldest first: the queue runs in order, so the plans kept
    /// are the ones needed next.
    /// </summary>
    public void Offer(string operationId, SpecInspection inspection)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        ArgumentNullException.ThrowIfNull(inspection);
        if (!inspection.Errors.IsEmpty || inspection.Plan is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_plans.Count >= Capacity)
        {
            foreach (var (id, kept) in _plans)
            {
                if (now - kept.At > MaxAge)
                {
                    _plans.TryRemove(id, out _);
                }
            }

            if (_plans.Count >= Capacity)
            {
                return;
            }
        }

        _plans[operationId] = (inspection, now);
    }

    /// <summary>The plan kept for <paramref name="operationId"/>, once (it is no longer kept after).</summary>
    public SpecInspection? Take(string operationId) =>
        _plans.TryRemove(operationId, out var kept) && time.GetUtcNow() - kept.At <= MaxAge ? kept.Inspection : null;
}
