using System.Security.Cryptography;
using System.Text;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// The key format and how keys are checked. A key is <c>plat_&lt;id&gt;_&lt;secret&gt;</c>: a 16-hex-digit public id
/// (found by primary key, never by scanning hashes) and 256 random bits of secret. Only HMAC-SHA256(salt, secret) is
/// stored, with a random salt per key, and compared in constant time. A single keyed hash suffices because the secret is
/// random and long: a slow password hash protects guessable secrets and would only add latency to every request.
/// </summary>
public static class ApiKeySecrets
{
    /// <summary>What every generated key starts with (also how a bearer value is told apart from a JWT).</summary>
    public const string Prefix = "plat_";

    /// <summary>The shortest configured bootstrap key accepted.</summary>
    public const int MinimumConfiguredLength = 24;

    /// <summary>A new key: its id, and the full key to show once.</summary>
    public static (string Id, string Key) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>
    /// The id a key is stored under and the secret it proves: the embedded id of a generated key; for any other
    /// string (a configured bootstrap key of the operator's own making), an id derived from a hash of it.
    /// </summary>
    public static (string Id, string Secret) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length + 17 && key[Prefix.Length + 16] == '_')
        {
            var id = key.Substring(Prefix.Length, 16);
            if (id.All(char.IsAsciiHexDigitLower))
            {
                return (id, key[(Prefix.Length + 17)..]);
            }
        }

        return ("cfg" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..13], key);
    }

    /// <summary>A new random salt (base64).</summary>
    public static string NewSalt() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>HMAC-SHA256 of <paramref name="secret"/> keyed by <paramref name="salt"/> (base64).</summary>
    public static string Hash(string salt, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(salt), Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether <paramref name="secret"/> matches the stored hash, in time independent of where they differ.</summary>
    public static bool Verify(ApiKey stored, string secret)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Verify(stored.Salt, stored.Hash, secret);
    }

    /// <summary>
    /// Whether <paramref name="secret"/> matches <paramref name="hash"/> under <paramref name="salt"/> (both base64, as
    /// stored), in time independent of where they differ.
    /// </summary>
    public static bool Verify(string salt, string hash, string secret)
    {
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> expected = stackalloc byte[32];
        if (!Convert.TryFromBase64String(hash, expected, out var written) || written != 32)
        {
            return false;
        }

        var actual = HMACSHA256.HashData(Convert.FromBase64String(salt), Encoding.UTF8.GetBytes(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
