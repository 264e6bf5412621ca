using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Telemetry;

/// <summary>
/// Measures operations where their outcomes are written: an operation saved in a final state, and a stored
/// <c>retry</c> event (a transient engine failure). Observations wait for the save to succeed, so a write retried
/// after a concurrency conflict is counted once.
/// </summary>
public sealed class OperationTelemetryInterceptor(PlatformTelemetry telemetry) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<Action>> _pending = [];

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Observe(eventData?.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Observe(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Flush(eventData?.Context, record: true);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Flush(eventData?.Context, record: true);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Flush(eventData?.Context, record: false);

    /// <inheritdoc />
    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData?.Context, record: false);
        return Task.CompletedTask;
    }

    private void Observe(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var pending = new List<Action>();
        foreach (var entry in context.ChangeTracker.Entries<StackOperation>())
        {
            var state = entry.Property(o => o.State);
            if (entry.State == EntityState.Modified && state.IsModified && !Equals(state.OriginalValue, state.CurrentValue) && entry.Entity.IsFinished)
            {
                var operation = entry.Entity;
                pending.Add(() => telemetry.OperationFinished(operation));
            }
        }

        foreach (var entry in context.ChangeTracker.Entries<OperationEvent>())
        {
            if (entry.State == EntityState.Added && entry.Entity is { Type: "retry", Detail: { } errorClass })
            {
                pending.Add(() => telemetry.EngineFailed(errorClass, retried: true));
            }
        }

        _pending.AddOrUpdate(context, pending);
    }

    private void Flush(DbContext? context, bool record)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        _pending.Remove(context);
        if (record)
        {
            pending.ForEach(observe => observe());
        }
    }
}
