using System.Security.Cryptography;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// The passphrase that encrypts stack secrets (and stored specs, <see cref="SpecProtector"/>): from configuration
/// (<see cref="PlatformOptions.Passphrase"/>, else Pulumi's own <c>PULUMI_CONFIG_PASSPHRASE</c> in the service's
/// environment) — which replicas sharing a database must use, since each needs the same one — or else generated on
/// first start from a cryptographic random source and kept in <see cref="PlatformPaths.PassphraseFile"/> readable by
/// the owner only. Handed to the CLI through <c>PULUMI_CONFIG_PASSPHRASE</c>. Never logged or returned.
/// </summary>
public sealed class PassphraseStore(PlatformPaths paths, Microsoft.Extensions.Options.IOptions<PlatformOptions> options)
{
    /// <summary>Pulumi's variable for the passphrase secrets provider (read by the CLI in <c>readPassphrase</c>, <c>pkg/secrets/passphrase/manager.go</c> of pulumi/pulumi).</summary>
    public const string PulumiVariable = "PULUMI_CONFIG_PASSPHRASE";

    private readonly Lazy<string> _passphrase = new(() => Configured(options.Value) ?? LoadOrCreate(paths.PassphraseFile));

    /// <summary>The passphrase (created on first use unless configured).</summary>
    public string Passphrase => _passphrase.Value;

    /// <summary>Whether the passphrase comes from configuration (so every replica can share it), not a local file.</summary>
    public bool IsConfigured => Configured(options.Value) is not null;

    private static string? Configured(PlatformOptions options) =>
        options.Passphrase is { Length: > 0 } configured ? configured
        : Environment.GetEnvironmentVariable(PulumiVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : null;

    private static string LoadOrCreate(string file)
    {
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var passphrase = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation, so the file is never readable by others, not even briefly.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(passphrase);
        }

        return passphrase;
    }
}
