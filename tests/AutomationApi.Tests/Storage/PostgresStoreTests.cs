using System.Net;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

/// <summary>What only PostgreSQL has: a server that can be missing the database, shared, or gone. The API
/// scenarios themselves run on both stores (theories over <see cref="TestStore"/>).</summary>
public sealed class PostgresStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StateLivesInPostgres_WithByteOrderNames_AndTheLogShowsNoPassword()
    {
        await using var database = await TestStore.CreateAsync(TestStore.Postgres);
        using var factory = new PlatformFactory(store: database);

        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("pg-dev")))["state"]!);

        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM \"Environments\" WHERE \"Name\" = 'pg-dev' AND \"Status\" = 'Ready'"));
        Assert.Equal("C", await database.ScalarAsync(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'Environments' AND column_name = 'Name'"));
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "platform.db")));

        var password = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Password;
        Assert.Contains(factory.Logs.Lines, l => l.Contains($"State store: PostgreSQL database '{database.DatabaseName}' on ", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("Password=", StringComparison.OrdinalIgnoreCase) ||
            l.Contains(database.ConnectionString!, StringComparison.Ordinal) ||
            (password is { Length: > 0 } && l.Contains($"={password}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MissingDatabase_IsCreatedAtStart_AndReadyzFailsOnceItIsGone()
    {
        await using var database = await TestStore.CreateAsync(TestStore.Postgres, create: false);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();

        using var ready = await client.GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM \"Operations\""));

        await database.DropAsync();
        using var gone = await client.GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
        Assert.Contains("database", (string)(await PlatformFactory.ReadAsync(gone))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseHoldingOtherTables_GetsTheServiceTablesToo()
    {
        await using var database = await TestStore.CreateAsync(TestStore.Postgres);
        await database.ScalarAsync("CREATE TABLE schema_history (version int PRIMARY KEY)");
        using var factory = new PlatformFactory(store: database);

        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("shared-dev")))["state"]!);
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM \"Environments\""));
    }
}
