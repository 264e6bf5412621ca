using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
    private const string ConnectionStringKey = "Platform:Database:ConnectionString";

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

        const string Example = "Host=db.internal;Port=5432;Database=platform;Username=platform;Password=...";
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
        var configured = database.IsPostgres
            ? builder.UseNpgsql(database.ConnectionString)
            : builder.UseSqlite($"Data Source={paths.DatabaseFile}");

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
    /// Creates the database (when missing and the role may) and its tables (when missing), like
    /// <c>EnsureCreated</c>, which alone leaves a PostgreSQL database that already holds other tables without ours.
    /// </summary>
    public static async Task EnsureCreatedAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await db.Database.EnsureCreatedAsync(cancellationToken) || !db.Database.IsNpgsql())
        {
            return;
        }

        try
        {
            _ = await db.Environments.AnyAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync(cancellationToken);
        }
    }
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
