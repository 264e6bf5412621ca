using System.Globalization;
using System.Text;

namespace Platform.Components.Tests.Testing;

/// <summary>
/// Pulumi YAML's reading of a string: literal text and <c>${…}</c> accesses, by the upstream rules, so the tests read
/// rendered strings as the engine does rather than as the renderer meant them. <c>pulumi/pulumi-yaml</c> @36f271cf:
/// <c>parseInterpolate</c> in pkg/pulumiyaml/ast/interpolation.go (<c>$$</c> is a literal <c>$</c>, <c>${</c> starts an
/// access, any other character — a lone <c>$</c> too — is literal) and <c>parsePropertyAccess</c> in
/// pkg/pulumiyaml/ast/property.go (an access ends at the first <c>}</c> outside a quoted subscript).
/// </summary>
internal static class PulumiYamlInterpolation
{
    /// <summary>An access, as written between <c>${</c> and its <c>}</c>, and its root: a name or a quoted subscript.</summary>
    public sealed record Access(string Text, string? Root);

    /// <summary>Literal text, then the access it precedes (null for trailing text), as upstream's <c>Interpolation</c>.</summary>
    public sealed record Part(string Text, Access? Access);

    /// <summary>The string as upstream splits it.</summary>
    /// <exception cref="PulumiYamlConfigRules.Rejected">Upstream refuses it; the message is upstream's diagnostic.</exception>
    public static IReadOnlyList<Part> Parse(string value)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            if (value.AsSpan(i).StartsWith("$$"))
            {
                literal.Append('$');
                i += 2;
            }
            else if (value.AsSpan(i).StartsWith("${"))
            {
                var (end, root) = ParseAccess(value, i + 2);
                parts.Add(new Part(literal.ToString(), new Access(value[(i + 2)..end], root)));
                literal.Clear();
                i = end + 1;
            }
            else
            {
                literal.Append(value[i++]);
            }
        }

        if (literal.Length != 0)
        {
            parts.Add(new Part(literal.ToString(), null));
        }

        return parts;
    }

    // parsePropertyAccess: returns the index of the terminating '}' and the root accessor's name. Its grammar, loosely
    // as upstream reads it: { '.' } ( '[' ( digits | '"' ( '\"' | [^"] )* '"' ) ']' | name ), up to '}'; a name runs to
    // the next '.', '[' or '}' (whatever else it holds), a list index is whatever strconv.ParseInt takes, and a list
    // index cannot be the root.
    private static (int End, string? Root) ParseAccess(string value, int start)
    {
        string? root = null;
        var accessors = 0;
        var i = start;
        while (i < value.Length)
        {
            switch (value[i])
            {
                case '}':
                    return (i, root);
                case '.':
                    i++;
                    break;
                case '[' when i + 1 < value.Length && value[i + 1] == '"':
                    var key = new StringBuilder();
                    var j = i + 2;
                    while (true)
                    {
                        if (j >= value.Length)
                        {
                            throw new PulumiYamlConfigRules.Rejected("missing closing quote in property name");
                        }

                        if (value[j] == '"')
                        {
                            j++;
                            break;
                        }

                        if (value[j] == '\\' && j + 1 < value.Length && value[j + 1] == '"')
                        {
                            key.Append('"');
                            j += 2;
                        }
                        else
                        {
                            key.Append(value[j++]);
                        }
                    }

                    if (j >= value.Length || value[j] != ']')
                    {
                        throw new PulumiYamlConfigRules.Rejected("missing closing bracket in property access");
                    }

                    root ??= accessors == 0 ? key.ToString() : null;
                    accessors++;
                    i = j + 1;
                    break;
                case '[':
                    var bracket = value.IndexOf(']', i);
                    if (bracket < 0)
                    {
                        throw new PulumiYamlConfigRules.Rejected("missing closing bracket in list index");
                    }

                    // strconv.ParseInt(s, 10, 0): an optional sign, then decimal digits, within 64 bits.
                    if (!long.TryParse(value.AsSpan(i + 1, bracket - i - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        throw new PulumiYamlConfigRules.Rejected("invalid list index");
                    }

                    if (accessors == 0)
                    {
                        throw new PulumiYamlConfigRules.Rejected("the root property must be a string subscript or a name");
                    }

                    accessors++;
                    i = bracket + 1;
                    break;
                default:
                    var nameEnd = i;
                    while (nameEnd < value.Length && value[nameEnd] is not ('.' or '[' or '}'))
                    {
                        nameEnd++;
                    }

                    root ??= accessors == 0 ? value[i..nameEnd] : null;
                    accessors++;
                    i = nameEnd;
                    break;
            }
        }

        throw new PulumiYamlConfigRules.Rejected("unterminated interpolation");
    }
}
