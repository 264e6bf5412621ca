using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Storage.Migrations;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Cli;

namespace Platform.AutomationApi.Tests.Cli;

/// <summary>
/// Issue 15: <c>platform db migrate</c>, for operators who forbid migrations on start, applies the service's own
/// migrations under its lock: the schema it leaves is the one the service makes, a second run changes nothing, and a
/// database it cannot use is a non-zero exit naming the setting to fix.
/// </summary>
public sealed class DbMigrateCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("platform-db-migrate-");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, TextReader.Null, _work.FullName, name => environment.GetValueOrDefault(name));
        var code = await PlatformCli.RunAsync(["db", "migrate", .. args], context, Cancel);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Migrates_an_empty_sqlite_file_to_the_schema_the_service_creates_and_a_second_run_changes_nothing()
    {
        var cliData = Path.Combine(_work.FullName, "cli-data");
        Directory.CreateDirectory(cliData);
        await File.WriteAllBytesAsync(Path.Combine(cliData, "platform.db"), [], Cancel); // an empty file is an empty SQLite database

        var (code, stdout, stderr) = await RunAsync([], "--data-dir", "cli-data");

        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        using var reference = new SqlitePlatformDbContext(new DbContextOptionsBuilder<SqlitePlatformDbContext>().UseSqlite("Data Source=:memory:").Options);
        var migrations = reference.Database.GetMigrations().ToList();
        Assert.Contains($"{migrations.Count} migration(s) applied ({string.Join(", ", migrations)}); the schema is current.", stdout, StringComparison.Ordinal);

        // What the service makes of a fresh data directory when it starts (migrating on start, the default).
        var serviceData = Path.Combine(_work.FullName, "service-data");
        await using (var service = new PlatformFactory(serviceData))
        {
            using var ready = await service.CreateClient().GetAsync("/readyz", Cancel);
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        var migrated = await SqliteSchemaAsync(Path.Combine(cliData, "platform.db"));
        Assert.Equal(await SqliteSchemaAsync(Path.Combine(serviceData, "platform.db")), migrated);
        Assert.Equal(migrations, await SqliteHistoryAsync(Path.Combine(cliData, "platform.db")));

        (code, stdout, stderr) = await RunAsync(new() { ["Platform__DataDirectory"] = cliData });

        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains("0 migration(s) applied (none pending); the schema is current.", stdout, StringComparison.Ordinal);
        Assert.Equal(migrated, await SqliteSchemaAsync(Path.Combine(cliData, "platform.db")));
        Assert.Equal(migrations, await SqliteHistoryAsync(Path.Combine(cliData, "platform.db")));
    }

    [Fact]
    public async Task Migrates_a_new_postgres_database_once_when_two_operators_run_it_together_and_a_second_run_changes_nothing()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres, create: false); // the command creates it
        var environment = new Dictionary<string, string>
        {
            ["Platform__Database__Provider"] = "postgres",
            ["Platform__Database__ConnectionString"] = store.ConnectionString!,
        };

        var runs = await Task.WhenAll(RunAsync(environment), RunAsync(environment));

        Assert.All(runs, run => Assert.True(run.Code == 0, $"{run.Code}\n{run.Stdout}\n{run.Stderr}"));
        using var reference = new PostgresPlatformDbContext(new DbContextOptionsBuilder<PostgresPlatformDbContext>().UseNpgsql(store.ConnectionString).Options);
        var migrations = reference.Database.GetMigrations().ToList();
        Assert.Equal(migrations, await reference.Database.GetAppliedMigrationsAsync(Cancel));
        Assert.Equal((long)migrations.Count, await store.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));

        // The same tables, indexes and triggers as a database the service migrates itself on start.
        await using var serviceStore = await TestStore.CreateAsync(TestStore.Postgres, create: false);
        await using (var service = new PlatformFactory(store: serviceStore))
        {
            using var ready = await service.CreateClient().GetAsync("/readyz", Cancel);
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        var migrated = await PostgresSchemaAsync(store.ConnectionString!);
        Assert.Equal(await PostgresSchemaAsync(serviceStore.ConnectionString!), migrated);

        var (code, stdout, stderr) = await RunAsync(environment, "--provider", "postgres");

        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains($"PostgreSQL database '{store.DatabaseName}'", stdout, StringComparison.Ordinal);
        Assert.Contains("0 migration(s) applied (none pending); the schema is current.", stdout, StringComparison.Ordinal);
        Assert.Equal(migrated, await PostgresSchemaAsync(store.ConnectionString!));
        Assert.Equal((long)migrations.Count, await store.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task A_database_it_cannot_reach_is_exit_4_naming_the_connection_setting_without_its_password()
    {
        // Nothing listens on port 1: the connection is refused (after the service's usual transient-fault retries).
        const string Password = "not-shown-anywhere-7f3a";
        var (code, stdout, stderr) = await RunAsync(new()
        {
            ["Platform__Database__Provider"] = "postgres",
            ["Platform__Database__ConnectionString"] = $"Host=127.0.0.1;Port=1;Database=platform;Username=platform;Password={Password};Timeout=5",
        });

        Assert.Equal(4, code);
        Assert.Equal("", stdout);
        Assert.Contains("Migrating PostgreSQL database 'platform' on 127.0.0.1:1 as 'platform' failed", stderr, StringComparison.Ordinal);
        Assert.Contains("Platform:Database:ConnectionString (environment variable Platform__Database__ConnectionString)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Theory]
    [InlineData("--provider", "mysql", "Platform:Database:Provider is 'mysql'; use 'sqlite'")]
    [InlineData("--provider", "postgres", "Platform:Database:ConnectionString is required when Platform:Database:Provider is 'postgres'")]
    public async Task Unusable_settings_are_exit_2_naming_the_setting_and_the_fix(string option, string value, string expected)
    {
        var (code, stdout, stderr) = await RunAsync([], option, value);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains("--provider (or Platform__Database__Provider), the environment variable Platform__Database__ConnectionString", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, ".data")), "nothing is created for settings that cannot work");
    }

    [Fact]
    public async Task A_data_directory_that_is_a_file_is_exit_2_as_the_readme_documents_for_unusable_settings()
    {
        var file = Path.Combine(_work.FullName, "not-a-directory");
        await File.WriteAllTextAsync(file, "", Cancel);

        var (code, stdout, stderr) = await RunAsync([], "--data-dir", "not-a-directory");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains($"Platform:DataDirectory (environment variable Platform__DataDirectory or PLATFORM_DATA_DIR) is {file}, which is a file; name a directory", stderr, StringComparison.Ordinal);
        Assert.Contains("--data-dir (or Platform__DataDirectory, PLATFORM_DATA_DIR)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_settings_file_that_is_not_json_is_exit_2_with_the_parsers_reason_in_one_sentence()
    {
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "appsettings.json"), "{ Platform: ", Cancel);

        var (code, _, stderr) = await RunAsync([], "--settings", "appsettings.json");

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.StartsWith("error: --settings appsettings.json is not a JSON settings file: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to load configuration", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".)", line, StringComparison.Ordinal);
        Assert.EndsWith(".", line, StringComparison.Ordinal);
        Assert.False(line.EndsWith("..", StringComparison.Ordinal), line);
    }

    [Fact]
    public async Task A_directory_as_the_settings_file_is_exit_2_saying_a_file_is_needed()
    {
        Directory.CreateDirectory(Path.Combine(_work.FullName, "conf"));

        var (code, stdout, stderr) = await RunAsync([], "--settings", "conf");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("--settings conf is a directory; a JSON settings file is needed: name the file itself.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_the_services_settings_file_with_the_environment_overriding_it()
    {
        var data = Path.Combine(_work.FullName, "from-settings");
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "appsettings.json"),
            $$"""{ "Platform": { "DataDirectory": "{{data.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "Database": { "Provider": "mysql" } } }""", Cancel);

        var (code, stdout, stderr) = await RunAsync(new() { ["Platform__Database__Provider"] = "sqlite" }, "--settings", "appsettings.json");

        Assert.True(code == 0, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains($"SQLite file {Path.Combine(data, "platform.db")}", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "platform.db")));
    }

    // Every table, index and trigger with its definition, as SQLite stores it.
    private static async Task<List<string>> SqliteSchemaAsync(string file) =>
        await SqliteAsync(file, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");

    private static async Task<List<string>> SqliteHistoryAsync(string file) =>
        await SqliteAsync(file, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId");

    private static async Task<List<string>> SqliteAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var rows = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    // Every column (with its type and nullability), index and trigger of the database's schema.
    private static async Task<List<string>> PostgresSchemaAsync(string connectionString)
    {
        const string Sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_schema = current_schema()
            UNION ALL SELECT 'index ' || tablename || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
            UNION ALL SELECT 'trigger ' || event_object_table || '.' || trigger_name || ' ' || event_manipulation FROM information_schema.triggers WHERE trigger_schema = current_schema()
            ORDER BY 1
            """;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var rows = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
