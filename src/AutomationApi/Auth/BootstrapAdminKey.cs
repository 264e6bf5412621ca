using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var admins = await db.ApiKeys.AsNoTracking().Where(k => k.Role == PlatformRole.Admin && k.RevokedAt == null).ToListAsync(cancellationToken);
        if (admins.Any(k => k.IsActiveAt(now)))
        {
            return;
        }

        var configured = auth.BootstrapAdminKey?.Trim();
        var plain = configured is { Length: > 0 } ? configured : ApiKeySecrets.Generate().Key;
        var (id, secret) = ApiKeySecrets.Split(plain);
        if (await db.ApiKeys.AnyAsync(k => k.Id == id, cancellationToken))
        {
            // The configured key was revoked or expired: bringing it back would undo that.
            LogConfiguredKeyRetired(logger, id);
            return;
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
        await db.SaveChangesAsync(cancellationToken);
        if (configured is { Length: > 0 })
        {
            LogConfiguredKeyStored(logger, id);
            return;
        }

        LogGeneratedKey(logger, id);
        await output.Output.WriteLineAsync(
            $"Platform: first admin key (shown once, store it now; create team keys with POST /v1/keys, then revoke this one): {plain}");
        await output.Output.FlushAsync(cancellationToken);
    }

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
