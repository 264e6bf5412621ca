using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Storage.Migrations;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>
/// The schema is versioned by EF Core migrations per provider: a new database gets all of them, the previous
/// release's database (made by <c>EnsureCreated</c>, no history; its exact schema is in <c>PreviousRelease/</c>) is
/// adopted and upgraded with its rows, replicas migrating together do it once, and operators can migrate by hand.
/// </summary>
public sealed class MigrationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string PreviousRelease(string provider) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "PreviousRelease", $"{provider}.sql"));

    private static SqlitePlatformDbContext Sqlite(string file) =>
        new(new DbContextOptionsBuilder<SqlitePlatformDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options);

    private static PostgresPlatformDbContext Postgres(TestStore store) =>
        new(new DbContextOptionsBuilder<PostgresPlatformDbContext>().UseNpgsql(store.ConnectionString).Options);

    private static string TempDatabaseFile() => Path.Combine(Directory.CreateTempSubdirectory("platform-migrations-").FullName, "platform.db");

    [Fact]
    public void Every_model_change_has_its_migration_on_both_providers()
    {
        // Fails when the entities change without `dotnet ef migrations add` for each provider (README, "PostgreSQL").
        using var sqlite = Sqlite(TempDatabaseFile());
        using var postgres = new PostgresPlatformDbContext(new DbContextOptionsBuilder<PostgresPlatformDbContext>().UseNpgsql("Host=unused;Database=unused").Options);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "SQLite: the model has changes with no migration.");
        Assert.False(postgres.Database.HasPendingModelChanges(), "PostgreSQL: the model has changes with no migration.");
        Assert.Equal(sqlite.Database.GetMigrations().Select(Name), postgres.Database.GetMigrations().Select(Name));
    }

    [Fact]
    public async Task A_new_sqlite_database_gets_every_migration_and_a_second_run_changes_nothing()
    {
        await using var db = Sqlite(TempDatabaseFile());
        Assert.Equal(db.Database.GetMigrations(), await PlatformDatabase.PendingMigrationsAsync(db, Cancel));

        await PlatformDatabase.MigrateAsync(db, Cancel);
        await PlatformDatabase.MigrateAsync(db, Cancel);

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Cancel));
        Assert.Empty(await PlatformDatabase.PendingMigrationsAsync(db, Cancel));
        Assert.Equal(0, await db.Environments.CountAsync(Cancel));
    }

    [Fact]
    public async Task The_previous_releases_sqlite_database_is_adopted_and_upgraded_with_its_rows()
    {
        var file = TempDatabaseFile();
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync(Cancel);
            await using var create = connection.CreateCommand();
            create.CommandText = PreviousRelease("sqlite") + InsertEnvironment;
            await create.ExecuteNonQueryAsync(Cancel);
        }

        await using var db = Sqlite(file);
        Assert.Equal(db.Database.GetMigrations().Skip(1), await PlatformDatabase.PendingMigrationsAsync(db, Cancel));

        await PlatformDatabase.MigrateAsync(db, Cancel);

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Cancel));
        var kept = await db.Environments.SingleAsync(Cancel);
        Assert.Equal(("kept-dev", "retail"), (kept.Name, kept.Team));
    }

    [Fact]
    public async Task A_new_postgres_database_is_created_and_migrated_once_by_two_replicas_starting_together()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres, create: false);
        await using var first = Postgres(store);
        await using var second = Postgres(store);

        // EF Core's migration lock (pg advisory lock) serialises them; the loser finds nothing left to do.
        await Task.WhenAll(PlatformDatabase.MigrateAsync(first, Cancel), PlatformDatabase.MigrateAsync(second, Cancel));

        Assert.Equal(first.Database.GetMigrations(), await first.Database.GetAppliedMigrationsAsync(Cancel));
        Assert.Equal((long)first.Database.GetMigrations().Count(), await store.ScalarAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal("C", await store.ScalarAsync(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'Environments' AND column_name = 'Name'"));
    }

    [Fact]
    public async Task The_previous_releases_postgres_database_is_adopted_once_by_two_replicas_and_keeps_its_rows()
    {
        await using var store = await TestStore.CreateAsync(TestStore.Postgres);
        await store.ScalarAsync(PreviousRelease("postgres") + InsertEnvironment.Replace("'3f0c6d8e-5a7b-4c1d-9e2f-0a1b2c3d4e5f'", "'3f0c6d8e-5a7b-4c1d-9e2f-0a1b2c3d4e5f'::uuid", StringComparison.Ordinal));
        await using var first = Postgres(store);
        await using var second = Postgres(store);

        await Task.WhenAll(PlatformDatabase.MigrateAsync(first, Cancel), PlatformDatabase.MigrateAsync(second, Cancel));

        Assert.Equal(first.Database.GetMigrations(), await first.Database.GetAppliedMigrationsAsync(Cancel));
        var kept = await first.Environments.SingleAsync(Cancel);
        Assert.Equal(("kept-dev", "retail"), (kept.Name, kept.Team));
    }

    [Fact]
    public async Task With_migrate_on_start_off_an_outdated_schema_stops_the_service_and_db_migrate_fixes_it()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("platform-migrate-").FullName;
        var refused = new PlatformFactory(dataDirectory, settings => settings["Platform:Database:MigrateOnStart"] = "false");
        var ex = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
        Assert.Contains("Platform.AutomationApi db migrate", Flatten(ex), StringComparison.Ordinal);
        await refused.DisposeAsync();

        // The operator's path: the service binary's own command, a real process, same configuration.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(PlatformDbContext).Assembly.Location, "db", "migrate" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Platform__DataDirectory"] = dataDirectory;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using (var process = Process.Start(start)!)
        {
            var output = process.StandardOutput.ReadToEndAsync(Cancel);
            var errors = process.StandardError.ReadToEndAsync(Cancel);
            await process.WaitForExitAsync(Cancel);
            Assert.True(process.ExitCode == 0, await output + await errors);
            Assert.Contains("the schema is current", await output, StringComparison.Ordinal);
        }

        using var started = new PlatformFactory(dataDirectory, settings => settings["Platform:Database:MigrateOnStart"] = "false");
        using var ready = await started.CreateClient().GetAsync("/readyz", Cancel);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    private const string InsertEnvironment = """

        INSERT INTO "Environments" ("Id", "Name", "Team", "Tier", "Target", "Status", "SpecText", "CreatedAt", "UpdatedAt", "Version")
        VALUES ('env-1', 'kept-dev', 'retail', 'Dev', 'default', 'Ready', 'apiVersion: platform/v1', 0, 0, '3f0c6d8e-5a7b-4c1d-9e2f-0a1b2c3d4e5f');
        """;

    private static string Name(string migrationId) => migrationId[(migrationId.IndexOf('_', StringComparison.Ordinal) + 1)..];

    private static string Flatten(Exception ex) => ex.InnerException is null ? ex.Message : ex.Message + " | " + Flatten(ex.InnerException);
}
