using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Storage;

/// <summary><c>Platform.AutomationApi db migrate</c>: applies the schema migrations and exits, serving nothing.</summary>
public static class DatabaseMigrationCommand
{
    /// <summary>Migrates the configured database; returns the process exit code (0 done, 1 failed).</summary>
    public static async Task<int> MigrateDatabaseAsync(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var services = host.Services;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrationCommand));
        var options = services.GetRequiredService<IOptions<PlatformOptions>>().Value;
        var paths = services.GetRequiredService<PlatformPaths>();
        try
        {
            paths.EnsureCreated();
            await using var db = await services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
            var pending = await PlatformDatabase.PendingMigrationsAsync(db, CancellationToken.None);
            await PlatformDatabase.MigrateAsync(db, CancellationToken.None);
            logger.LogInformation("{Database}: {Count} migration(s) applied ({Migrations}); the schema is current.",
                PlatformDatabase.Describe(options.Database, paths), pending.Count, pending.Count == 0 ? "none pending" : string.Join(", ", pending));
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Migrating {Database} failed.", PlatformDatabase.Describe(options.Database, paths));
            return 1;
        }
    }
}
