using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// The choice of database behind <see cref="PlatformDbContext"/>: the embedded SQLite file (default) or a PostgreSQL
/// server (<see cref="PlatformDatabaseOptions"/>). Decides, validates and describes; the schema is the same on both.
/// </summary>
public static class PlatformDatabase
{
    private const string ProviderKey = "Platform:Database:Provider";

    /// <summary>Retries of a command that failed transiently (PostgreSQL restart, failover, dropped connection).</summary>
    public const int TransientRetries = 5;

    /// <summary>Longest delay between those retries.</summary>
    public static readonly TimeSpan MaxTransientRetryDelay = TimeSpan.FromSeconds(5);
    private const string ConnectionStringKey = "Platform:Database:ConnectionString";

    /// <summary>
    /// Whether <paramref name="error"/> is the database failing (unreachable, restarting, retries exhausted, a write
    /// refused), which background work rides out by trying again later, rather than a bug.
    /// </summary>
    public static bool IsFault(Exception error) =>
        error is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or RetryLimitExceededException or TimeoutException;

    /// <summary>What is wrong with the settings, with the fix; <see langword="null"/> when they are usable.</summary>
    /// <remarks>Never quotes the connection string: it may hold a password.</remarks>
    public static string? Problem(PlatformDatabaseOptions database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var provider = database.Provider?.Trim() ?? "";
        if (!provider.Equals(PlatformDatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase) && !database.IsPostgres)
        {
            return $"{ProviderKey} is '{provider}'; use '{PlatformDatabaseOptions.Sqlite}' (the default: a file in the data directory) " +
                   $"or '{PlatformDatabaseOptions.Postgres}' (with {ConnectionStringKey}).";
        }

        if (!database.IsPostgres)
        {
            return null;
        }

        const string Example = "Host=db.internal;Port=5432;Database=platform;Username=platform;Password=<password>";
        if (string.IsNullOrWhiteSpace(database.ConnectionString))
        {
            return $"{ConnectionStringKey} is required when {ProviderKey} is '{PlatformDatabaseOptions.Postgres}': set it " +
                   $"(environment variable Platform__Database__ConnectionString) to an Npgsql connection string such as {Example}.";
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        }
        catch (ArgumentException)
        {
            // The parser's message can quote part of the string, so it is not passed on.
            return $"{ConnectionStringKey} is not a valid Npgsql connection string (keyword=value pairs separated by ';', " +
                   $"e.g. {Example}); it is not shown here because it may hold a password.";
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            return $"{ConnectionStringKey} names no server: add Host=<name or address> (e.g. {Example}).";
        }

        return string.IsNullOrWhiteSpace(parsed.Database)
            ? $"{ConnectionStringKey} names no database: add Database=<name> (a database of its own; e.g. {Example})."
            : null;
    }

    /// <summary>Points <paramref name="builder"/> at the configured database.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder builder, PlatformDatabaseOptions database, PlatformPaths paths)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(paths);
        // A restart, failover or dropped connection is retried by Npgsql's execution strategy (a few tries, short
        // delays, so a request fails soon rather than hangs); explicit transactions run inside the strategy.
        var configured = database.IsPostgres
            ? builder.UseNpgsql(database.ConnectionString, npgsql => npgsql.EnableRetryOnFailure(TransientRetries, MaxTransientRetryDelay, null))
            : builder.UseSqlite($"Data Source={paths.DatabaseFile}").AddInterceptors(SqliteConnectionSettings.Instance);

        // A unique-index conflict is how a lost race (a name taken, an idempotency key claimed) shows up, and every
        // caller that catches it answers it; one nobody catches still ends as a 500 logged as an error.
        return configured.ConfigureWarnings(warnings => warnings.Log(
            (CoreEventId.SaveChangesFailed, LogLevel.Warning),
            (RelationalEventId.CommandError, LogLevel.Warning)));
    }

    /// <summary>Where the state lives, for the log: server, database and user, never the password.</summary>
    public static string Describe(PlatformDatabaseOptions database, PlatformPaths paths)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(paths);
        if (!database.IsPostgres)
        {
            return $"SQLite file {paths.DatabaseFile}";
        }

        var parsed = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return $"PostgreSQL database '{parsed.Database}' on {parsed.Host}:{parsed.Port} as '{parsed.Username}'";
    }

    /// <summary>
    /// Brings the schema up to this release: creates the database when missing (the role then needs <c>CREATEDB</c>)
    /// and applies pending migrations, once however many replicas start together (on PostgreSQL under one session
    /// advisory lock for the whole upgrade; on SQLite under EF Core's migration lock). A database made by the release
    /// before migrations existed (its tables, no migration history) is adopted first: its schema is the first
    /// migration's, which is recorded as applied.
    /// </summary>
    public static async Task MigrateAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsNpgsql())
        {
            await AdoptUnversionedSchemaAsync(db, cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }

        // EF Core's own PostgreSQL migration lock is taken per migration transaction, so a replica that reads the
        // history between two of another's migrations re-applies the second (seen in MigrationTests). A session
        // advisory lock held across adoption and every migration makes the whole upgrade one critical section.
        await CreateDatabaseIfMissingAsync(db, cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            try
            {
                await AdoptUnversionedSchemaAsync(db, cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (PostgresException)
        {
            // Another replica created it first (duplicate database, unique violation or template in use, by timing).
            if (!await creator.ExistsAsync(cancellationToken))
            {
                throw;
            }
        }
    }

    /// <summary>Migrations this release has that the database has not applied (all of them for a new database).</summary>
    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!await db.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
        {
            return [.. db.Database.GetMigrations()];
        }

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        if (applied.Count == 0 && await HasTablesAsync(db, cancellationToken))
        {
            applied.Add(db.Database.GetMigrations().First()); // adopted on migration, see AdoptUnversionedSchemaAsync
        }

        return [.. db.Database.GetMigrations().Where(m => !applied.Contains(m))];
    }

    private static async Task AdoptUnversionedSchemaAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
        {
            return;
        }

        var history = db.GetService<IHistoryRepository>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            // One transaction (SQLite takes its write lock; PostgreSQL callers hold the migration lock).
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // Not history.ExistsAsync: on PostgreSQL it probes by selecting from the table, and the failure would
            // abort this transaction.
            if (!await HasTablesAsync(db, cancellationToken) ||
                (await TableExistsAsync(db, HistoryRepository.DefaultTableName, cancellationToken) &&
                 (await history.GetAppliedMigrationsAsync(cancellationToken)).Count > 0))
            {
                return;
            }

            var first = db.Database.GetMigrations().First();
            await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, ProductInfo.GetVersion())), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    // Whether the service's tables exist (made by this release's migrations or by an earlier release's EnsureCreated).
    private static Task<bool> HasTablesAsync(PlatformDbContext db, CancellationToken cancellationToken) =>
        TableExistsAsync(db, db.Model.FindEntityType(typeof(Environments.EnvironmentRecord))!.GetTableName()!, cancellationToken);

    private static async Task<bool> TableExistsAsync(PlatformDbContext db, string table, CancellationToken cancellationToken)
    {
        var sql = db.Database.IsNpgsql()
            ? "SELECT count(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}"
            : "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {0}";
        return await db.Database.SqlQueryRaw<int>(sql, table).SingleAsync(cancellationToken) > 0;
    }

    // Any constant shared by every replica; "platform" in ASCII.
    private const long MigrationLockKey = 0x706c6174666f726d;
}

/// <summary>Validates <see cref="PlatformOptions.Database"/> at start, with messages that name the key and the fix.</summary>
internal sealed class PlatformDatabaseValidation : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PlatformDatabase.Problem(options.Database ?? new()) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
    }
}
