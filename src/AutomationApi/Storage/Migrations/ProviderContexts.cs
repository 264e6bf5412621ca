using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;

namespace Platform.AutomationApi.Storage.Migrations;

/// <summary>
/// <see cref="PlatformDbContext"/> on SQLite. A subtype per provider is EF Core's way to keep two migration histories
/// in one assembly: a migration belongs to the context type it was generated for (<c>Sqlite/</c> here).
/// </summary>
public sealed class SqlitePlatformDbContext(DbContextOptions<SqlitePlatformDbContext> options) : PlatformDbContext(options);

/// <summary><see cref="PlatformDbContext"/> on PostgreSQL; its migrations are in <c>Postgres/</c>.</summary>
public sealed class PostgresPlatformDbContext(DbContextOptions<PostgresPlatformDbContext> options) : PlatformDbContext(options);

/// <summary>
/// Hands out the configured provider's context for <see cref="IDbContextFactory{TContext}"/> and scoped injection,
/// from that provider's context pool (issue 14: building a context's services per request was a fifth of a read's
/// CPU). A context goes back to its pool when disposed, its change tracker cleared and its settings reset by EF Core.
/// </summary>
internal sealed class ProviderDbContextFactory(IServiceProvider services, IOptions<PlatformOptions> platform)
    : IDbContextFactory<PlatformDbContext>
{
    private readonly Func<PlatformDbContext> _create = platform.Value.Database.IsPostgres
        ? services.GetRequiredService<IDbContextFactory<PostgresPlatformDbContext>>().CreateDbContext
        : services.GetRequiredService<IDbContextFactory<SqlitePlatformDbContext>>().CreateDbContext;

    public PlatformDbContext CreateDbContext() => _create();
}

/// <summary>
/// What <c>dotnet ef migrations add &lt;Name&gt; --context SqlitePlatformDbContext --output-dir Storage/Migrations/Sqlite</c>
/// builds the model from (no host, no database).
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePlatformDbContext>
{
    public SqlitePlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePlatformDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>The same for <c>--context PostgresPlatformDbContext --output-dir Storage/Migrations/Postgres</c>; nothing connects.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPlatformDbContext>
{
    public PostgresPlatformDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPlatformDbContext>().UseNpgsql("Host=localhost;Database=platform").Options);
}
