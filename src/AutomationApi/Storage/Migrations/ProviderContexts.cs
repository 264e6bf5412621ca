using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Storage.Migrations;

/// <summary>
/// <see cref="PlatformDbContext"/> on SQLite. A subtype per provider is EF Core's way to keep two migration histories
/// in one assembly: a migration belongs to the context type it was generated for (<c>Sqlite/</c> here).
/// </summary>
public sealed class SqlitePlatformDbContext(DbContextOptions<PlatformDbContext> options) : PlatformDbContext(options);

/// <summary><see cref="PlatformDbContext"/> on PostgreSQL; its migrations are in <c>Postgres/</c>.</summary>
public sealed class PostgresPlatformDbContext(DbContextOptions<PlatformDbContext> options) : PlatformDbContext(options);

/// <summary>Creates the configured provider's context for <see cref="IDbContextFactory{TContext}"/> and scoped injection.</summary>
internal sealed class ProviderDbContextFactory(DbContextOptions<PlatformDbContext> options, IOptions<PlatformOptions> platform)
    : IDbContextFactory<PlatformDbContext>
{
    private readonly bool _postgres = platform.Value.Database.IsPostgres;

    public PlatformDbContext CreateDbContext() =>
        _postgres ? new PostgresPlatformDbContext(options) : new SqlitePlatformDbContext(options);
}

/// <summary>
/// What <c>dotnet ef migrations add &lt;Name&gt; --context SqlitePlatformDbContext --output-dir Storage/Migrations/Sqlite</c>
/// builds the model from (no host, no database).
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePlatformDbContext>
{
    public SqlitePlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PlatformDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>The same for <c>--context PostgresPlatformDbContext --output-dir Storage/Migrations/Postgres</c>; nothing connects.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPlatformDbContext>
{
    public PostgresPlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PlatformDbContext>().UseNpgsql("Host=localhost;Database=platform").Options);
}
