using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Extensions;

namespace Platform.AutomationApi.Storage;

/// <summary>How a <c>db migrate</c> run ended.</summary>
public enum MigrationStatus
{
    /// <summary>The schema is current (pending migrations, if any, were applied).</summary>
    Migrated,

    /// <summary>
    /// The database settings are unusable (an unknown provider, a missing or malformed connection string, a data
    /// directory that is a file); nothing was tried.
    /// </summary>
    InvalidSettings,

    /// <summary>The database could not be reached, or a migration failed.</summary>
    Failed,
}

/// <summary>What a <c>db migrate</c> run did, in one message fit for an operator (it never holds a password).</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Message">What was migrated, or what is wrong with which setting and the fix.</param>
/// <param name="Error">The failure, for a log; <see langword="null"/> unless <see cref="MigrationStatus.Failed"/>.</param>
public sealed record MigrationReport(MigrationStatus Status, string Message, Exception? Error = null);

/// <summary>
/// <c>db migrate</c>: applies the schema migrations and exits, serving nothing; the same code whether the service
/// binary runs it (<c>Platform.AutomationApi db migrate</c>) or the <c>platform</c> CLI does (<c>platform db migrate</c>),
/// and the same as a start-up migration (<see cref="PlatformDatabase.MigrateAsync"/>, under its lock).
/// </summary>
public static class DatabaseMigrationCommand
{
    private const string ConnectionStringSetting =
        "Platform:Database:ConnectionString (environment variable Platform__Database__ConnectionString)";

    private const string DataDirectorySetting = "Platform:DataDirectory (environment variable Platform__DataDirectory or PLATFORM_DATA_DIR)";

    /// <summary>Migrates the host's configured database, logging the outcome; returns the process exit code (0 done, 1 failed).</summary>
    public static async Task<int> MigrateDatabaseAsync(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrationCommand));
        var report = await RunAsync(host.Services, CancellationToken.None);
        if (report.Status == MigrationStatus.Migrated)
        {
            logger.LogInformation("{Message}", report.Message);
            return 0;
        }

        logger.LogError(report.Error, "{Message}", report.Message);
        return 1;
    }

    /// <summary>
    /// Migrates the database that <paramref name="configuration"/> names (the service's <c>Platform</c> section:
    /// <c>Database:Provider</c>, <c>Database:ConnectionString</c>, <c>DataDirectory</c>), relative paths resolved
    /// against <paramref name="contentRoot"/>; for the <c>platform</c> CLI, which starts no service.
    /// </summary>
    public static async Task<MigrationReport> MigrateAsync(IConfiguration configuration, string contentRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddLogging();
        builder.AddPlatformOptions();
        builder.AddPlatformStorage();
        using var host = builder.Build();
        return await RunAsync(host.Services, cancellationToken);
    }

    private static async Task<MigrationReport> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        PlatformOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<PlatformOptions>>().Value;
        }
        catch (OptionsValidationException invalid)
        {
            return new MigrationReport(MigrationStatus.InvalidSettings, invalid.Message);
        }

        var paths = services.GetRequiredService<PlatformPaths>();
        if (File.Exists(paths.DataDirectory))
        {
            // A setting that cannot work, like an unknown provider: nothing to try or retry ("already exists" was
            // reported as a failed migration, exit 4, as if the database were unreachable).
            return new MigrationReport(MigrationStatus.InvalidSettings,
                $"{DataDirectorySetting} is {paths.DataDirectory}, which is a file; name a directory (it is created when missing).");
        }

        var database = PlatformDatabase.Describe(options.Database, paths);
        try
        {
            paths.EnsureCreated();
            await using var db = await services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(cancellationToken);
            var pending = await PlatformDatabase.PendingMigrationsAsync(db, cancellationToken);
            await PlatformDatabase.MigrateAsync(db, cancellationToken);
            return new MigrationReport(MigrationStatus.Migrated,
                $"{database}: {pending.Count} migration(s) applied ({(pending.Count == 0 ? "none pending" : string.Join(", ", pending))}); the schema is current.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var fix = options.Database.IsPostgres
                ? $"Check {ConnectionStringSetting}: the server it names must be reachable, and its role must be able to log in " +
                  "(and have CREATEDB while the database does not exist yet)."
                : $"Check {DataDirectorySetting}: the directory must be writable and its platform.db a SQLite database.";
            return new MigrationReport(MigrationStatus.Failed, $"Migrating {database} failed: {Cause(ex)} {fix}", ex);
        }
    }

    // The failure itself, not the retry wrapper around it ("the maximum number of retries was exceeded").
    private static string Cause(Exception ex)
    {
        var cause = ex is RetryLimitExceededException { InnerException: { } last } ? last : ex;
        var message = cause.Message.TrimEnd('.');
        return cause.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{message} ({inner.Message.TrimEnd('.')})."
            : message + ".";
    }
}
