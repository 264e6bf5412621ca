using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// Settings SQLite keeps per connection, applied once to each native connection the pool hands out:
/// <c>synchronous=NORMAL</c>. In WAL mode (set at start-up) that commits without waiting for the disk (the WAL is
/// synced at each checkpoint): the database stays consistent whatever happens, and a crash of the service loses
/// nothing; only a power loss or OS crash can undo the last commits before it. With the default (<c>FULL</c>) every
/// commit waits for a sync, and every operation commits several times (claim, events, outcome), so the disk's sync
/// time capped accepted creates at a few dozen per second (issue 14). Deployments that need every commit on disk
/// before it is answered run on PostgreSQL.
/// </summary>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    /// <summary>The one instance (it holds no state of its own beyond which native connections it has set).</summary>
    public static SqliteConnectionSettings Instance { get; } = new();

    // Native connections (reused by Microsoft.Data.Sqlite's pool across opens) already set up.
    private readonly ConditionalWeakTable<object, object> _applied = [];

    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    /// <inheritdoc />
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || _applied.TryGetValue(handle, out _))
        {
            return;
        }

        using var command = sqlite.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL;";
        command.ExecuteNonQuery();
        _applied.AddOrUpdate(handle, handle);
    }
}
