using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Extensions;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Storage;

public sealed class PlatformDatabaseTests
{
    private const string Valid = "Host=db.internal;Port=5433;Database=platform;Username=svc;Password=hunter2-Pa55";

    [Fact]
    public void Ctor_DocumentedDefaults_AreTheSqliteFile()
    {
        var database = new PlatformOptions().Database;
        Assert.Equal("sqlite", database.Provider);
        Assert.Null(database.ConnectionString);
        Assert.False(database.IsPostgres);
        Assert.Null(PlatformDatabase.Problem(database));
    }

    [Theory]
    [InlineData("postgres", Valid, true)]
    [InlineData("PostgreS", Valid, true)]
    [InlineData("SQLite", null, false)]
    [InlineData("sqlite", "ignored", false)]
    public void Provider_IsCaseInsensitive(string provider, string? connectionString, bool postgres)
    {
        var database = new PlatformDatabaseOptions { Provider = provider, ConnectionString = connectionString };
        Assert.Equal(postgres, database.IsPostgres);
        Assert.Null(PlatformDatabase.Problem(database));
    }

    [Theory]
    [InlineData("mysql", Valid, "Platform:Database:Provider is 'mysql'; use 'sqlite'")]
    [InlineData("postgres", null, "Platform:Database:ConnectionString is required when Platform:Database:Provider is 'postgres'")]
    [InlineData("postgres", " ", "Platform__Database__ConnectionString")]
    [InlineData("postgres", "Host=db;Database=x;Pasword=hunter2-Pa55", "is not a valid Npgsql connection string")]
    [InlineData("postgres", "Database=x;Password=hunter2-Pa55", "names no server: add Host=")]
    [InlineData("postgres", "Host=db;Password=hunter2-Pa55", "names no database: add Database=")]
    public void Problem_NamesTheKeyAndTheFix_NeverThePassword(string provider, string? connectionString, string expected)
    {
        var problem = PlatformDatabase.Problem(new PlatformDatabaseOptions { Provider = provider, ConnectionString = connectionString });
        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NamesServerDatabaseAndUser_NotThePassword()
    {
        var paths = new PlatformPaths(new PlatformOptions(), "/srv/app");
        var postgres = PlatformDatabase.Describe(new PlatformDatabaseOptions { Provider = "postgres", ConnectionString = Valid }, paths);
        Assert.Equal("PostgreSQL database 'platform' on db.internal:5433 as 'svc'", postgres);
        Assert.Equal("SQLite file /srv/app/.data/platform.db", PlatformDatabase.Describe(new PlatformDatabaseOptions(), paths));
    }

    [Fact]
    public async Task Start_WithPostgresButNoConnectionString_FailsNamingTheKey()
    {
        // The host is built and started directly: WebApplicationFactory may report a start-up failure as a disposed
        // service provider instead of the validation error, depending on timing.
        var data = Directory.CreateTempSubdirectory("platform-start-").FullName;
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration["Platform:DataDirectory"] = data;
            builder.Configuration["Platform:Database:Provider"] = "postgres";
            builder.AddPlatformOptions();
            builder.AddPlatformStorage();
            await using var app = builder.Build();

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
            Assert.Contains("Platform:Database:ConnectionString is required", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "platform.db")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
