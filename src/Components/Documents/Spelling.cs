namespace Platform.Components.Documents;

/// <summary>"Did you mean" for every file Platform reads (specs, targets, policy settings): the closest known word.</summary>
internal static class Spelling
{
    /// <summary>The known word closest to <paramref name="key"/> (edit distance, case-insensitive), when one is close enough.</summary>
    public static string? Suggest(string key, IReadOnlyCollection<string> known) =>
        known.Select(k => (k, d: Distance(key.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, x.k.Length / 3))
            .OrderBy(x => x.d)
            .Select(x => x.k)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
