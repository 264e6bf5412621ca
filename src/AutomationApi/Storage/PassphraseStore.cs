using System.Security.Cryptography;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// The passphrase that encrypts stack secrets: generated on first start from a cryptographic random source, kept in
/// <see cref="PlatformPaths.PassphraseFile"/> readable by the owner only, handed to the CLI through
/// <c>PULUMI_CONFIG_PASSPHRASE</c>. Never logged or returned.
/// </summary>
public sealed class PassphraseStore(PlatformPaths paths)
{
    private readonly Lazy<string> _passphrase = new(() => LoadOrCreate(paths.PassphraseFile));

    /// <summary>The passphrase (created on first use).</summary>
    public string Passphrase => _passphrase.Value;

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
