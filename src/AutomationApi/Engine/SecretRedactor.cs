namespace Platform.AutomationApi.Engine;

/// <summary>Replaces every known secret value in text with <c>[secret]</c> before it is stored, returned or logged.</summary>
public sealed class SecretRedactor
{
    /// <summary>What a redacted value reads as.</summary>
    public const string Mask = "[secret]";

    private readonly string[] _secrets;

    /// <summary>Creates a redactor for <paramref name="secrets"/> (empty values are ignored).</summary>
    public SecretRedactor(IEnumerable<string> secrets) =>
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    /// <summary>A redactor that knows no secrets.</summary>
    public static SecretRedactor None { get; } = new([]);

    /// <summary>Returns <paramref name="text"/> with every secret masked.</summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
