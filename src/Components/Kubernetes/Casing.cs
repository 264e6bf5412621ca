using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Components.Kubernetes;

/// <summary>camelCase names for config keys and outputs, which Pulumi programs conventionally spell that way.</summary>
internal static partial class Casing
{
    /// <summary>
    /// camelCase of the parts joined, split on every run of characters that are not ASCII letters or digits:
    /// <c>("api", "DB_PASSWORD")</c> gives <c>apiDbPassword</c>, <c>("checkout-api")</c> gives <c>checkoutApi</c>.
    /// </summary>
    public static string Camel(params string[] parts)
    {
        var result = new StringBuilder();
        foreach (var word in NotAlphanumeric().Split(string.Join('-', parts)).Where(w => w.Length > 0))
        {
            var lower = word.ToLowerInvariant();
            result.Append(result.Length == 0 ? lower : char.ToUpperInvariant(lower[0]) + lower[1..]);
        }

        return result.ToString();
    }

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex NotAlphanumeric();
}
