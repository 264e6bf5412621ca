using System.Buffers;
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
    public static bool MustQuote(ReadOnlySpan<char> text) =>
        IsWord(text)
            // Starting with a letter, holding only these: no number, date or special float; at most a reserved word.
            ? IsReservedWord(text)
            : MustQuoteSlow(text);

    /// <summary>
    /// Whether <paramref name="text"/> starts with a letter and holds only letters, digits and <c>_-./</c>: then only
    /// <see cref="IsReservedWord"/> decides <see cref="MustQuote"/>, and every YAML style allows it
    /// (<see cref="ScalarShape.Word"/>). Most names, types, images and paths of a program are such words.
    /// </summary>
    public static bool IsWord(ReadOnlySpan<char> text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && Unremarkable.ContainsAll(text);

    /// <summary>Whether a <see cref="IsWord">word</see> reads as null or a boolean when plain.</summary>
    public static bool IsReservedWord(ReadOnlySpan<char> word) => word.Length <= 5 && ReservedWordsBySpan.Contains(word);

    // Letters, digits and punctuation that neither YAML nor Pulumi YAML reads specially inside a plain scalar.
    private static readonly AsciiSet Unremarkable = new("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./");

    private static bool MustQuoteSlow(ReadOnlySpan<char> text) =>
        text.Length == 0 ||
        char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) ||
        // Each test is skipped when its first condition already fails: this runs for every string that is not a word
        // (types, references, text with spaces), and the regular expressions are the costly part.
        (text.Length <= 5 && ReservedWordsBySpan.Contains(text)) ||
        (text[0] is '-' or '+' or '.' or (>= '0' and <= '9') && (NumberLike().IsMatch(text) || SpecialFloat().IsMatch(text))) ||
        // Valid YAML, but YamlDotNet's reader (used by Platform's own tools) rejects a plain key holding " *".
        text.Contains(" *", StringComparison.Ordinal) ||
        HasBreakOrControl(text);

    // One vectorised search rather than a test per character: this runs for every string that is not a word.
    private static bool HasBreakOrControl(ReadOnlySpan<char> text) => text.ContainsAny(BreaksAndControls);

    // char.IsControl's characters (U+0000-U+001F, U+007F-U+009F, which hold U+0085), the Unicode line and paragraph
    // separators and the byte order mark.
    private static readonly System.Buffers.SearchValues<char> BreaksAndControls = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)) + "\u2028\u2029\uFEFF");

    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "y", "n", "on", "off", "<<", "=",
    };

    // Looked up by span: text assembled by the renderer is checked without making a string of it.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ReservedWordsBySpan =
        ReservedWords.GetAlternateLookup<ReadOnlySpan<char>>();

    // Anything that starts like a number and holds only characters that number, date and time forms use.
    [GeneratedRegex(@"^[-+]?\.?[0-9][0-9a-fA-FxXoObB_.:+\-eEtTzZ ]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberLike();

    [GeneratedRegex(@"^[-+]?\.(inf|nan)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SpecialFloat();

    /// <summary>
    /// Whether Pulumi YAML reads an access in <paramref name="text"/>: reading from the left, <c>$$</c> is a
    /// <c>$</c> and <c>${</c> starts an access (<c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/ast/interpolation.go</c>,
    /// <c>parseInterpolate</c>), so <c>$${x}</c> holds none and <c>$$${x}</c> one.
    /// </summary>
    public static bool ReadsAnAccess(ReadOnlySpan<char> text)
    {
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (text[i] == '$')
            {
                if (text[i + 1] == '{')
                {
                    return true;
                }

                if (text[i + 1] == '$')
                {
                    i++; // "$$" is one literal '$'
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Escapes literal text that is a whole Pulumi YAML string (nothing follows it); see
    /// <see cref="EscapeLiteral(IBufferWriter{char}, string, char)"/>.
    /// </summary>
    public static string EscapeLiteral(string text)
    {
        // Most text holds no '$': it is returned as it is, without a copy.
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var escaped = new ArrayBufferWriter<char>(text.Length + 4);
        EscapeLiteral(escaped, text, following: '\0');
        return new string(escaped.WrittenSpan);
    }

    /// <summary>
    /// Writes literal text escaped for a Pulumi YAML string to <paramref name="output"/>. Pulumi YAML reads the whole
    /// string from the left: <c>$$</c> is a <c>$</c>, <c>${</c> starts an access, any other character (a lone
    /// <c>$</c> too) is itself (<c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/ast/interpolation.go</c>,
    /// <c>parseInterpolate</c>). So a <c>$</c> is doubled exactly when the character after it in the whole string is
    /// <c>{</c> or <c>$</c>, whether that character is in this text or is <paramref name="following"/>, the first
    /// character written after it (the <c>$</c> of a <c>${…}</c> access, or the start of the next literal part);
    /// <c>'\0'</c> when the string ends. Any other <c>$</c> stays as written.
    /// </summary>
    public static void EscapeLiteral(IBufferWriter<char> output, string text, char following)
    {
        // Copies the runs between the dollars that are doubled.
        var start = 0;
        for (var dollar = text.IndexOf('$', StringComparison.Ordinal); dollar >= 0; dollar = text.IndexOf('$', dollar + 1))
        {
            if ((dollar + 1 < text.Length ? text[dollar + 1] : following) is '{' or '$')
            {
                output.Write(text.AsSpan(start, dollar + 1 - start));
                output.Write("$");
                start = dollar + 1;
            }
        }

        output.Write(text.AsSpan(start));
    }
}
