using System.Security.Cryptography;
using System.Text;

namespace Platform.AutomationApi.Storage;

/// <summary>
/// Encrypts stored spec texts (they hold secret env values) with AES-GCM under a key derived from the stack
/// passphrase, so the database file alone gives no secret away.
/// </summary>
public sealed class SpecProtector(PassphraseStore passphrase)
{
    private const string Prefix = "enc:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]> _key = new(() =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(passphrase.Passphrase), 32, info: Encoding.UTF8.GetBytes("platform spec at rest")));

    /// <summary>Encrypts <paramref name="text"/>.</summary>
    public string Protect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plain = Encoding.UTF8.GetBytes(text);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>Decrypts what <see cref="Protect"/> produced; text stored before encryption is returned as is.</summary>
    /// <exception cref="CryptographicException">The text was encrypted under another passphrase or altered.</exception>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(stored))]
    public string? Unprotect(string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        var sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
