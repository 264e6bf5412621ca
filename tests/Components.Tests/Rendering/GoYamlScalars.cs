using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Platform.Components.Tests.Rendering;

/// <summary>
/// What a plain (unquoted, untagged) YAML scalar is to Pulumi YAML: it decodes every scalar node into an
/// <c>interface{}</c> with gopkg.in/yaml.v3 (<c>UnmarshalYAML</c> in <c>pkg/pulumiyaml/syntax/encoding/yaml.go</c> of
/// pulumi/pulumi-yaml), so yaml.v3's <c>resolve</c> decides (<c>resolve.go</c> of go-yaml/yaml, v3): a bool, null, an
/// integer in any of Go's <c>strconv.ParseInt(s, 0, 64)</c> forms once underscores are dropped (<c>0x1F</c>, <c>0o17</c>,
/// <c>0b101</c>, <c>1_000</c>, and <c>0755</c> as octal), a float, or text. A timestamp decodes to a <c>time.Time</c>,
/// which Pulumi YAML keeps as the scalar's text. This is stricter than the YAML 1.2 core schema Platform's own reader
/// follows, and it is the one that counts for a rendered program.
/// </summary>
internal static partial class GoYamlScalars
{
    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];
    private static readonly HashSet<string> Trues = ["true", "True", "TRUE"];
    private static readonly HashSet<string> Falses = ["false", "False", "FALSE"];
    private static readonly HashSet<string> Floats = [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"];

    /// <summary>The value Pulumi YAML reads from a plain scalar: null, a bool, a number, or the text itself.</summary>
    public static JsonNode? Resolve(string plain)
    {
        if (Nulls.Contains(plain))
        {
            return null;
        }

        if (Trues.Contains(plain) || Falses.Contains(plain))
        {
            return JsonValue.Create(Trues.Contains(plain));
        }

        if (Floats.Contains(plain))
        {
            // NaN and infinities have no JSON form: marked as what they are, never equal to the text.
            return JsonValue.Create($"!!float {plain}");
        }

        if (plain == "<<")
        {
            return JsonValue.Create("!!merge <<");
        }

        switch (plain[0])
        {
            case '.':
                // strconv.ParseFloat of the text as it is: underscores only between digits (underscoreOK in Go's strconv).
                return LeadingDotFloat().IsMatch(plain) && Finite(plain.Replace("_", "", StringComparison.Ordinal)) is { } dotted
                    ? dotted
                    : JsonValue.Create(plain);
            case '+' or '-' or (>= '0' and <= '9'):
                if (IsTimestamp(plain))
                {
                    return JsonValue.Create(plain);
                }

                var digits = plain.Replace("_", "", StringComparison.Ordinal);
                if (GoParseInteger(digits) is { } integer)
                {
                    return integer >= long.MinValue && integer <= long.MaxValue ? JsonValue.Create((long)integer) : JsonValue.Create((decimal)integer);
                }

                if (YamlStyleFloat().IsMatch(digits) && Finite(digits) is { } number)
                {
                    return number;
                }

                return JsonValue.Create(plain);
            default:
                return JsonValue.Create(plain);
        }
    }

    // strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): an optional sign (ParseInt only), then 0x/0X hexadecimal,
    // 0o/0O or a bare leading 0 octal, 0b/0B binary, or decimal digits; in range of int64 or uint64.
    private static BigInteger? GoParseInteger(string text)
    {
        var span = text.AsSpan();
        var negative = false;
        var signed = span.Length > 0 && span[0] is '+' or '-';
        if (signed)
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        var radix = 10;
        if (span.Length >= 2 && span[0] == '0')
        {
            radix = char.ToLowerInvariant(span[1]) switch
            {
                'x' => 16,
                'o' => 8,
                'b' => 2,
                _ => 0,
            };
            // A bare leading 0 is octal with no prefix to skip.
            span = radix == 0 ? span[1..] : span[2..];
            radix = radix == 0 ? 8 : radix;
        }

        if (span.IsEmpty)
        {
            return null;
        }

        BigInteger value = 0;
        foreach (var c in span)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return null;
            }

            value = (value * radix) + digit;
        }

        // ParseUint takes no sign: a signed value must fit an int64.
        value = negative ? -value : value;
        return value >= long.MinValue && value <= (signed ? long.MaxValue : ulong.MaxValue) ? value : null;
    }

    // strconv.ParseFloat fails on a value out of range (yaml.v3 then keeps the text). A float that a decimal holds is
    // given as that decimal, as plan values hold numbers.
    private static JsonValue? Finite(string text) =>
        !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) ? null
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? JsonValue.Create(exact)
        : JsonValue.Create(value);

    // parseTimestamp: four digits and '-', then one of yaml.v3's layouts (date only, or date and time).
    private static bool IsTimestamp(string text) => Timestamp().IsMatch(text);

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlStyleFloat();

    [GeneratedRegex(@"^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$")]
    private static partial Regex LeadingDotFloat();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$")]
    private static partial Regex Timestamp();
}
