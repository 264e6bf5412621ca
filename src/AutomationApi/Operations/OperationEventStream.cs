using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// An operation's events as they are stored, followed until it finishes: from whichever replica runs it, resumed
/// after the last event a client saw, woken by <see cref="OperationWakeups"/> (in process, or from another replica
/// through <c>LISTEN/NOTIFY</c>) with <see cref="PlatformOptions.EventPollInterval"/> as the fallback poll. Knows no
/// HTTP: the API frames the batches as Server-Sent Events.
/// </summary>
public sealed class OperationEventStream(PlatformDbContext db, OperationWakeups wakeups, IOptions<PlatformOptions> options)
{
    /// <summary>Most events read (and sent) at once.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Where a stream of <paramref name="operationId"/> starts: after the event <paramref name="lastEventId"/> names
    /// (a client resuming), or at the first. Refused when there is no such operation (404) or the id is not one a
    /// stream sent (400).
    /// </summary>
    public async Task<LifecycleResult<EventPosition>> StartAsync(string operationId, string? lastEventId, CancellationToken cancellationToken)
    {
        if (!await db.Operations.AnyAsync(o => o.Id == operationId, cancellationToken))
        {
            return Refusals.OperationNotFound(operationId);
        }

        var after = 0;
        return lastEventId is null || int.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after)
            ? new EventPosition(operationId, after)
            : Refusals.Problem(StatusCodes.Status400BadRequest, "Invalid Last-Event-ID", "Last-Event-ID must be the id of an event this stream sent.");
    }

    /// <summary>
    /// The events after <paramref name="position"/>, a batch (oldest first, at most <see cref="BatchSize"/>) at a
    /// time, until the operation has finished and its last event was yielded. A batch may be empty: nothing new
    /// yet. Waits between empty batches for a wake-up or the fallback poll.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<OperationEvent>> FollowAsync(
        EventPosition position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(position);
        var (id, after) = (position.OperationId, position.After);
        while (true)
        {
            // Watching before reading: an event stored after the read still wakes this stream (from any replica).
            using var watch = wakeups.Watch(id);
            var finished = await db.Operations.AsNoTracking().Where(o => o.Id == id)
                .Select(o => o.State == OperationState.Succeeded || o.State == OperationState.Failed ||
                             o.State == OperationState.Cancelled || o.State == OperationState.Interrupted)
                .SingleAsync(cancellationToken);
            var batch = await db.Events.AsNoTracking()
                .Where(e => e.OperationId == id && e.Sequence > after)
                .OrderBy(e => e.Sequence)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            yield return batch;
            if (batch.Count > 0)
            {
                after = batch[^1].Sequence;
                continue;
            }

            // The final state event is written after the state itself, so read once more after seeing "finished".
            if (finished)
            {
                yield break;
            }

            await watch.WaitAsync(options.Value.EventPollInterval, cancellationToken);
        }
    }
}

/// <summary>Where a stream of an operation's events stands: after the event with sequence <paramref name="After"/> (0: before the first).</summary>
/// <param name="OperationId">The operation.</param>
/// <param name="After">The last event sent.</param>
public sealed record EventPosition(string OperationId, int After);
