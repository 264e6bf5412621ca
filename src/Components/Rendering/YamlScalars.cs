using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Components.Rendering;

/// <summary>
/// Decisions about how a string is written in Pulumi YAML: when it must be quoted to stay a string, and how literal
/// text is escaped so Pulumi does not read it as an interpolation.
/// </summary>
internal static partial class YamlScalars
{
    /// <summary>
    /// Whether <paramref name="text"/>, written as a plain scalar, would be read as something other than that string:
    /// null, a boolean (YAML 1.2 and the YAML 1.1 forms such as <c>yes</c>/<c>off</c>), a number in any base or form
    /// (<c>8080</c>, <c>0755</c>, <c>0x1F</c>, <c>1_000</c>, <c>1e3</c>, <c>.inf</c>), a date or time, a merge key, or
    /// anything a plain scalar cannot hold. Pulumi reads YAML with go-yaml, which resolves plain scalars this way; so
    /// these are always double-quoted. Over-quoting (e.g. <c>1.4.2</c>) is harmless; under-quoting changes types.
    /// </summary>
    public static bool MustQuote(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && !text.AsSpan().ContainsAnyExcept(Unremarkable)
            // Starting with a letter, holding only these: no number, date or special float; at most a reserved word.
            ? text.Length <= 5 && ReservedWords.Contains(text)
            : MustQuoteSlow(text);

    // Letters, digits and punctuation that neither YAML nor Pulumi YAML reads specially inside a plain scalar.
    private static readonly System.Buffers.SearchValues<char> Unremarkable =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./");

    private static bool MustQuoteSlow(string text) =>
        text.Length == 0 ||
        char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) ||
        ReservedWords.Contains(text) ||
        NumberLike().IsMatch(text) ||
        SpecialFloat().IsMatch(text) ||
        // Valid YAML, but YamlDotNet's reader (used by Platform's own tools) rejects a plain key holding " *".
        text.Contains(" *", StringComparison.Ordinal) ||
        HasBreakOrControl(text);

    // A loop rather than LINQ: this runs for every scalar of a rendered program.
    private static bool HasBreakOrControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF')
            {
                return true;
            }
        }

        return false;
    }

    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "y", "n", "on", "off", "<<", "=",
    };

    // Anything that starts like a number and holds only characters that number, date and time forms use.
    [GeneratedRegex(@"^[-+]?\.?[0-9][0-9a-fA-FxXoObB_.:+\-eEtTzZ ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLike();

    [GeneratedRegex(@"^[-+]?\.(inf|nan)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SpecialFloat();

    /// <summary>
    /// Escapes literal text for a Pulumi YAML string, where <c>$$</c> reads as <c>$</c> and <c>${</c> starts an
    /// interpolation. A <c>$</c> is doubled when a <c>{</c> or <c>$</c> follows it, or when it ends the text and an
    /// interpolation follows (<paramref name="beforeInterpolation"/>); any other <c>$</c> stays as written.
    /// </summary>
    public static string EscapeLiteral(string text, bool beforeInterpolation = false)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            builder.Append(text[i]);
            if (text[i] == '$' && (i + 1 < text.Length ? text[i + 1] is '{' or '$' : beforeInterpolation))
            {
                builder.Append('$');
            }
        }

        return builder.ToString();
    }
}
