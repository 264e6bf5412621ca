using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.AutomationApi.Notifications;

/// <summary>
/// How deliveries are signed, in the common webhook scheme: HMAC-SHA256, keyed with the webhook's secret (its UTF-8
/// bytes, prefix included), over <c>{timestamp}.{body}</c>, where the timestamp is the Unix time in seconds sent in
/// <see cref="TimestampHeader"/> and the body is the raw request body. The result is sent hex-encoded as
/// <c>v1=&lt;hex&gt;</c> in <see cref="SignatureHeader"/>. Receivers recompute it, compare in constant time, and refuse
/// timestamps more than a few minutes old (replays).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The delivery's id, the same on every attempt (receivers de-duplicate by it).</summary>
    public const string IdHeader = "Platform-Webhook-Id";

    /// <summary>The event type, e.g. <c>operation.failed</c>.</summary>
    public const string EventHeader = "Platform-Webhook-Event";

    /// <summary>Unix time in seconds when this attempt was signed.</summary>
    public const string TimestampHeader = "Platform-Webhook-Timestamp";

    /// <summary><c>v1=</c> and the hex HMAC-SHA256 of <c>{timestamp}.{body}</c>.</summary>
    public const string SignatureHeader = "Platform-Webhook-Signature";

    /// <summary>The secrets' prefix, so a leaked one is recognisable.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>A new random secret (256 bits).</summary>
    public static string NewSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The <see cref="SignatureHeader"/> value of <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>
    /// What a receiver does: whether <paramref name="signature"/> is <paramref name="body"/> signed with
    /// <paramref name="secret"/> at <paramref name="timestamp"/>, no older than <paramref name="tolerance"/> at <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string timestamp, string signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
