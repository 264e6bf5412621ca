using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Notifications;
using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// The service's durable state: environments, operations, their events and idempotency keys. Instances are of a
/// provider's subtype (<see cref="Migrations.SqlitePlatformDbContext"/>, <see cref="Migrations.PostgresPlatformDbContext"/>),
/// which is how EF Core keeps each provider's migrations apart.
/// </summary>
public class PlatformDbContext : DbContext
{
    /// <summary>A context on <paramref name="options"/>.</summary>
    public PlatformDbContext(DbContextOptions<PlatformDbContext> options)
        : base(options)
    {
    }

    /// <summary>A provider's context on <paramref name="options"/> (built for <see cref="PlatformDbContext"/> or the subtype).</summary>
    protected PlatformDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Environments, live and destroyed.</summary>
    public DbSet<EnvironmentRecord> Environments => Set<EnvironmentRecord>();

    /// <summary>Operations.</summary>
    public DbSet<StackOperation> Operations => Set<StackOperation>();

    /// <summary>Operation events.</summary>
    public DbSet<OperationEvent> Events => Set<OperationEvent>();

    /// <summary>Idempotency keys.</summary>
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    /// <summary>API keys (salted hashes only).</summary>
    public DbSet<Auth.ApiKey> ApiKeys => Set<Auth.ApiKey>();

    /// <summary>Teams' webhooks.</summary>
    public DbSet<WebhookRecord> Webhooks => Set<WebhookRecord>();

    /// <summary>The notification outbox.</summary>
    public DbSet<NotificationRecord> NotificationOutbox => Set<NotificationRecord>();

    /// <summary>Webhook deliveries and their outcomes.</summary>
    public DbSet<DeliveryRecord> WebhookDeliveries => Set<DeliveryRecord>();

    /// <summary>Teams' quotas (teams without one have the configured defaults).</summary>
    public DbSet<Quotas.TeamQuota> TeamQuotas => Set<Quotas.TeamQuota>();

    /// <summary>The audit log (append-only).</summary>
    public DbSet<Audit.AuditEntry> AuditLog => Set<Audit.AuditEntry>();

    /// <summary>
    /// The request whose queued operation this unit of work holds: its audit entry is saved with it
    /// (<see cref="Audit.RequestAudit.StageWith"/>), one transaction for the request's every row.
    /// </summary>
    internal Audit.RequestAudit? AuditedRequest { get; set; }

    // SQLite takes one writer at a time, and Microsoft.Data.Sqlite answers a busy database by sleeping the thread
    // 150 ms before it tries again: under concurrent writes (creates, the worker's claims and events) that sleep, not
    // the work, set the pace (issue 14: 47 creates/s, p99 1.9 s). Writers of one SQLite file in this process queue
    // here instead, without blocking a thread. A save inside an explicit transaction is not gated: its transaction
    // may already hold the database's write lock, and waiting here for a save that waits for that lock would deadlock.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteWriteGates = new(StringComparer.Ordinal);
    private SemaphoreSlim? _writeGate;
    private bool _writeGateKnown;

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampVersions();
        Audit.AuditLog.StageOutcomes(this);
        AuditedRequest?.StageWith(this);
        if (WriteGate() is not { } gate)
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }

        gate.Wait();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampVersions();
        Audit.AuditLog.StageOutcomes(this);
        AuditedRequest?.StageWith(this);
        if (WriteGate() is not { } gate)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Begins a transaction that writes. On SQLite it first queues behind this process's other writers of the file
    /// (the gate saves take) and holds the gate until the transaction ends: a transaction begun beside a save would
    /// find the database busy and sleep (Microsoft.Data.Sqlite waits 150 ms at a time), and saves inside it are not
    /// gated. On PostgreSQL it is a plain transaction.
    /// </summary>
    /// <param name="cancellationToken">Abort.</param>
    public async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginWriteTransactionAsync(CancellationToken cancellationToken)
    {
        if (WriteGate() is not { } gate)
        {
            return await Database.BeginTransactionAsync(cancellationToken);
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            return new GatedTransaction(await Database.BeginTransactionAsync(cancellationToken), gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private SemaphoreSlim? WriteGate()
    {
        if (!_writeGateKnown)
        {
            _writeGate = Database.IsSqlite() && Database.GetConnectionString() is { } file
                ? SqliteWriteGates.GetOrAdd(file, _ => new SemaphoreSlim(1, 1))
                : null;
            _writeGateKnown = true;
        }

        return Database.CurrentTransaction is null ? _writeGate : null;
    }

    // The one place row versions change: every inserted or changed versioned row gets a new one (the update then
    // matches the version it was read with, so a concurrent writer's change makes it fail instead of being lost).
    private void StampVersions()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.Version = Guid.NewGuid();
            }
        }
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);

        // SQLite cannot compare or order DateTimeOffset text; every timestamp here is UTC, so binary keeps order. The
        // same bigint on PostgreSQL keeps both stores' rows identical (and no timestamptz offset rules apply).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<EnvironmentRecord>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Tier).HasConversion<string>();
            e.Property(x => x.Status).HasConversion<string>();
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Property(x => x.AcceptedMonthlyCost).HasPrecision(18, 2);

            if (Database.IsNpgsql())
            {
                // List cursors compare (Name, Id) in the database: byte order, as in SQLite, whatever the server's
                // locale (a linguistic collation would sort "page-b" after "pagea" and can change with the OS).
                e.Property(x => x.Name).UseCollation("C");
                e.Property(x => x.Id).UseCollation("C");
            }

            // One live environment per name, enforced by the database even when two requests race.
            e.HasIndex(x => x.Name).IsUnique().HasFilter("\"Status\" <> 'Destroyed'");

            // List pages seek these in (name, id) order from the cursor instead of sorting every row (issue 14); reads
            // by name use the first too, destroyed incarnations included.
            e.HasIndex(x => new { x.Name, x.Id });
            e.HasIndex(x => new { x.Team, x.Name, x.Id });
        });

        modelBuilder.Entity<StackOperation>(e =>
        {
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            e.Property(x => x.Kind).HasConversion<string>();
            e.Property(x => x.State).HasConversion<string>();
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.State, x.Sequence });
            e.HasIndex(x => x.EnvironmentName);
        });

        modelBuilder.Entity<OperationEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.OperationId, x.Sequence }).IsUnique();
        });

        modelBuilder.Entity<IdempotencyRecord>(e => e.HasKey(x => x.Key));
        NotificationModel.Configure(modelBuilder);
        Auth.ApiKey.Configure(modelBuilder);
        Audit.AuditEntry.Configure(modelBuilder);
        Quotas.TeamQuota.Configure(modelBuilder);
    }

    /// <summary>A transaction holding this process's write gate of its SQLite file, released (once) when it ends.</summary>
    private sealed class GatedTransaction(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction inner, SemaphoreSlim gate)
        : Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction
    {
        private int _released;

        public Guid TransactionId => inner.TransactionId;

        public void Commit() => inner.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public void Rollback() => inner.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            finally
            {
                Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                Release();
            }
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
