using System.Text;

namespace Platform.Components.Kubernetes;

/// <summary>camelCase names for config keys and outputs, which Pulumi programs conventionally spell that way.</summary>
internal static class Casing
{
    /// <summary>
    /// camelCase of the parts joined, split on every run of characters that are not ASCII letters or digits:
    /// <c>("api", "DB_PASSWORD")</c> gives <c>apiDbPassword</c>, <c>("checkout-api")</c> gives <c>checkoutApi</c>.
    /// </summary>
    public static string Camel(params string[] parts)
    {
        // One pass over the characters (no regular expression, no word strings): every service names several outputs.
        var result = new StringBuilder();
        foreach (var part in parts)
        {
            var inWord = false;
            foreach (var c in part)
            {
                if (!char.IsAsciiLetterOrDigit(c))
                {
                    inWord = false;
                    continue;
                }

                result.Append(inWord || result.Length == 0 ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                inWord = true;
            }
        }

        return result.ToString();
    }
}
