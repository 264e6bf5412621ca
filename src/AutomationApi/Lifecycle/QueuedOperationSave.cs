using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.Components;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>What a queued deployment (a create, an update, a deploy, a promotion, a rollback) asks of its team's quota.</summary>
/// <param name="Environment">The environment created or updated in the unit of work.</param>
/// <param name="Spec">The spec it is created with or updated to.</param>
/// <param name="MonthlyCost">The spec's estimated monthly cost, asked for only when a cost limit applies (from a plan the
/// request already compiled).</param>
public sealed record QuotaCharge(EnvironmentRecord Environment, EnvironmentSpec Spec, Func<decimal> MonthlyCost);

/// <summary>
/// The one save of a request that queued an operation, shared by <see cref="EnvironmentCommands"/> and
/// <see cref="DeploymentCommands"/>: a deployment only within its team's quota (<see cref="Quotas.TeamQuotas"/>,
/// else a 422 naming the limit), the plan the request compiled offered to the operation before the commit and
/// withdrawn if it fails, a lost race answered as a conflict, and the worker woken once it committed. One per request
/// (scoped): it saves the request's unit of work.
/// </summary>
public sealed class QueuedOperationSave(PlatformDbContext db, OperationQueue queue, Quotas.TeamQuotas quotas, PlanHandoff plans)
{
    /// <summary>
    /// Saves the unit of work that queued <paramref name="operation"/>; <see langword="null"/> once committed, else the
    /// refusal to answer (nothing of it saved, the unit of work cleared).
    /// </summary>
    /// <param name="operation">The queued operation.</param>
    /// <param name="charge">For a deployment, what it asks of the team's quota; none saves without a quota check.</param>
    /// <param name="plan">The checks' compiled plan, handed to the operation on this replica (<see cref="PlanHandoff"/>).</param>
    /// <param name="raced">The answer to a lost race (the save failed: another request changed the same rows first);
    /// by default a 409 naming the environment.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<ProblemDetails?> SaveAsync(
        StackOperation operation, QuotaCharge? charge, SpecInspection? plan, Func<ProblemDetails>? raced, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (plan is not null)
        {
            // Offered before the save commits (the worker may claim the operation at once): withdrawn if it fails.
            plans.Offer(operation.Id, plan);
        }

        try
        {
            await (charge is not null
                ? quotas.SaveAsync(db, charge.Environment, charge.Spec, charge.MonthlyCost, cancellationToken)
                : db.SaveChangesAsync(cancellationToken));
        }
        catch (Quotas.QuotaExceededException exceeded)
        {
            Withdraw(operation, plan);
            return exceeded.ToProblem();
        }
        catch (DbUpdateException)
        {
            Withdraw(operation, plan);
            return raced?.Invoke() ?? Refusals.ConcurrentChange(operation.EnvironmentName, "queuing the operation");
        }

        queue.Notify();
        return null;
    }

    private void Withdraw(StackOperation operation, SpecInspection? plan)
    {
        if (plan is not null)
        {
            plans.Take(operation.Id);
        }

        db.ChangeTracker.Clear();
    }
}
