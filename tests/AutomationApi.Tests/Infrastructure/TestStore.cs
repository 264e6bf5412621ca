using System.Diagnostics;
using Npgsql;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>
/// The database one test runs the service against: the SQLite file in the factory's data directory, or a PostgreSQL
/// database of its own on the server named by <c>PLATFORM_TEST_POSTGRES</c> (dropped when disposed). Pass the same
/// store to a second <see cref="PlatformFactory"/> to restart the service on the same database.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string ServerVariable = "PLATFORM_TEST_POSTGRES";

    private TestStore(string kind, string? connectionString, string? databaseName)
    {
        Kind = kind;
        ConnectionString = connectionString;
        DatabaseName = databaseName;
    }

    /// <summary><see cref="Sqlite"/> or <see cref="Postgres"/>.</summary>
    public string Kind { get; }

    /// <summary>The service's connection string (PostgreSQL only).</summary>
    public string? ConnectionString { get; }

    /// <summary>The test's own database (PostgreSQL only).</summary>
    public string? DatabaseName { get; }

    /// <summary>The connection string of the test server, from <see cref="ServerVariable"/>; skips the test when unset.</summary>
    public static string Server
    {
        get
        {
            if (Environment.GetEnvironmentVariable(ServerVariable) is not { Length: > 0 } server)
            {
                Assert.Skip($"{ServerVariable} not set: no PostgreSQL server to test against (.ci/postgres.sh starts one and prints its connection string).");
                throw new UnreachableException();
            }

            return server;
        }
    }

    /// <summary>
    /// A store of the given kind. A PostgreSQL database is created up front unless <paramref name="create"/> is false
    /// (then the service must create it), with a linguistic collation that ignores punctuation, unlike byte order.
    /// </summary>
    public static async Task<TestStore> CreateAsync(string kind, bool create = true)
    {
        if (kind == Sqlite)
        {
            return new TestStore(kind, null, null);
        }

        Assert.Equal(Postgres, kind);
        var name = $"platform_test_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
        if (create)
        {
            await AdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted' LOCALE 'C.UTF-8'");
        }

        return new TestStore(kind, connectionString, name);
    }

    /// <summary>The service settings that select this store.</summary>
    public void Configure(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (Kind == Postgres)
        {
            settings["Platform:Database:Provider"] = "postgres";
            settings["Platform:Database:ConnectionString"] = ConnectionString;
        }
    }

    /// <summary>Runs one statement in this store's database (PostgreSQL only).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Drops the database, closing whatever connections the service left open.</summary>
    public async Task DropAsync()
    {
        // FORCE ends the service's sessions, but not an autovacuum worker that happens to be in the database (it runs as
        // the server's superuser: 42501 for this role). Such a worker finishes a test database's tables in moments.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AdminAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 40)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Kind == Postgres)
        {
            await DropAsync();
        }
    }

    private static async Task AdminAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(Server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
