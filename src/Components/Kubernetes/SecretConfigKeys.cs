using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Names the stack config entries that carry secret environment values. A secret's value lives only in the stack's
/// encrypted config (set with <c>pulumi config set --secret</c>); the program reads it by key.
/// </summary>
internal static class SecretConfigKeys
{
    private const int HashLength = 7;

    /// <summary>
    /// The config key of every secret env value in <paramref name="spec"/>, by service and variable name.
    /// The key is the camelCase of <c>{service}-{VARIABLE}</c>, split on anything not a letter or digit:
    /// service <c>api</c>, variable <c>DB_PASSWORD</c> gives <c>apiDbPassword</c>. Because camelCase folds case and
    /// separators (<c>api-x</c>/<c>Y</c> and <c>api</c>/<c>X_Y</c> both give <c>apiXY</c>), keys that would collide with
    /// each other or with a key in <paramref name="reserved"/> get a suffix of the first 7 hex characters of the
    /// SHA-256 of <c>{service}/{VARIABLE}</c>: still deterministic, and unique.
    /// </summary>
    public static ImmutableDictionary<(string Service, string Variable), string> For(EnvironmentSpec spec, IEnumerable<string> reserved)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var secrets = spec.Services
            .SelectMany(s => s.Env.Where(e => e.Value.IsSecret).Select(e => (Service: s.Name, Variable: e.Key)))
            .ToList();
        var plain = secrets.ToLookup(s => Casing.Camel(s.Service, s.Variable), StringComparer.Ordinal);
        var taken = reserved.ToHashSet(StringComparer.Ordinal);
        return secrets.ToImmutableDictionary(
            s => s,
            s =>
            {
                var key = Casing.Camel(s.Service, s.Variable);
                return plain[key].Count() > 1 || taken.Contains(key) ? $"{key}{Hash($"{s.Service}/{s.Variable}")}" : key;
            });
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength];

}
