using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Auth;

/// <summary>Where a generated first admin key is printed: standard output, never the log.</summary>
/// <param name="output">The writer (standard output unless a test captures it).</param>
public sealed class BootstrapKeyOutput(TextWriter output)
{
    /// <summary>Standard output.</summary>
    public BootstrapKeyOutput()
        : this(Console.Out)
    {
    }

    /// <summary>The writer.</summary>
    public TextWriter Output { get; } = output;
}

/// <summary>
/// Makes sure someone can administer the service: when the store holds no active admin key on start, it stores the
/// configured <see cref="PlatformAuthOptions.BootstrapAdminKey"/>, or else generates one and prints it once to standard
/// output. Runs after start-up recovery has brought the schema up to date.
/// </summary>
public sealed partial class BootstrapAdminKey(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IOptions<PlatformAuthOptions> options,
    BootstrapKeyOutput output,
    TimeProvider time,
    ILogger<BootstrapAdminKey> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        var configured = auth.BootstrapAdminKey?.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // Replicas starting together on an empty store would each create (and print) an admin key: the check and the
        // insert are one transaction under an advisory lock on PostgreSQL, so the later replica finds the first's key.
        // (SQLite runs one instance per file.)
        var strategy = db.Database.CreateExecutionStrategy();
        var stored = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({BootstrapLockKey})", cancellationToken);
            }

            var now = time.GetUtcNow();
            var admins = await db.ApiKeys.AsNoTracking().Where(k => k.Role == PlatformRole.Admin && k.RevokedAt == null).ToListAsync(cancellationToken);
            if (admins.Any(k => k.IsActiveAt(now)))
            {
                return null;
            }

            var plain = configured is { Length: > 0 } ? configured : ApiKeySecrets.Generate().Key;
            var (id, secret) = ApiKeySecrets.Split(plain);
            if (await db.ApiKeys.AnyAsync(k => k.Id == id, cancellationToken))
            {
                // The configured key was revoked or expired: bringing it back would undo that.
                LogConfiguredKeyRetired(logger, id);
                return null;
            }

            var salt = ApiKeySecrets.NewSalt();
            db.ApiKeys.Add(new ApiKey
            {
                Id = id,
                Name = "bootstrap admin",
                Team = auth.BootstrapTeam,
                Role = PlatformRole.Admin,
                Salt = salt,
                Hash = ApiKeySecrets.Hash(salt, secret),
                CreatedAt = now,
                CreatedBy = "bootstrap",
            });
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new StoredKey(id, plain);
        });
        if (stored is null)
        {
            return;
        }

        if (configured is { Length: > 0 })
        {
            LogConfiguredKeyStored(logger, stored.Id);
            return;
        }

        LogGeneratedKey(logger, stored.Id);
        await output.Output.WriteLineAsync(
            $"Platform: first admin key (shown once, store it now; create team keys with {CliRemedies.CreateKey}, then revoke this one with {CliRemedies.RevokeKey(stored.Id)}): {stored.Plain}");
        await output.Output.FlushAsync(cancellationToken);
    }

    private sealed record StoredKey(string Id, string Plain);

    // Any constant shared by every replica, apart from the migration lock's; "bootadm" in ASCII.
    private const long BootstrapLockKey = 0x626f6f7461646d;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Refuses a configured key too short to be a secret (at start, naming the setting).</summary>
    internal static string? Problem(PlatformAuthOptions auth) =>
        auth.BootstrapAdminKey is { } key && key.Trim().Length is > 0 and < ApiKeySecrets.MinimumConfiguredLength ? TooShort : null;

    /// <summary>Why a configured key is refused.</summary>
    internal const string TooShort =
        "Platform:Auth:BootstrapAdminKey must be at least 24 characters (a random value, e.g. from 'openssl rand -base64 32').";

    [LoggerMessage(Level = LogLevel.Warning, Message = "No active admin key: generated admin key {KeyId}, printed once to standard output")]
    private static partial void LogGeneratedKey(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "No active admin key: stored the configured Platform:Auth:BootstrapAdminKey as key {KeyId}")]
    private static partial void LogConfiguredKeyStored(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No active admin key, and the configured Platform:Auth:BootstrapAdminKey (key {KeyId}) was revoked or expired: configure a new one")]
    private static partial void LogConfiguredKeyRetired(ILogger logger, string keyId);
}
