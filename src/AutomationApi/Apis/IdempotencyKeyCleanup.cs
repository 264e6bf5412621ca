using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Deletes idempotency keys older than <see cref="PlatformOptions.IdempotencyKeyRetention"/>, every
/// <see cref="PlatformOptions.IdempotencyKeyCleanupInterval"/> (on the injected clock). Every replica runs it: a delete
/// is one statement, and two replicas deleting the same rows is harmless.
/// </summary>
public sealed class IdempotencyKeyCleanup(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IOptions<PlatformOptions> options,
    TimeProvider time,
    ILogger<IdempotencyKeyCleanup> logger) : BackgroundService
{
    /// <summary>Whether <paramref name="key"/> is past its retention at <paramref name="now"/>.</summary>
    public static bool IsExpired(IdempotencyRecord key, DateTimeOffset now, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.CreatedAt + retention <= now;
    }

    /// <summary>Deletes the expired keys; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.IdempotencyKeyRetention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.IdempotencyKeys.Where(k => k.CreatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} idempotency key(s) older than {Retention}", deleted, options.Value.IdempotencyKeyRetention);
        }

        return deleted;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.IdempotencyKeyCleanupInterval, time, stoppingToken);
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (PlatformDatabase.IsFault(ex))
            {
                logger.LogWarning(ex, "Idempotency key cleanup failed; trying again next interval");
            }
        }
    }
}
