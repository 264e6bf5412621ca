using System.Globalization;
using System.Text;

namespace Platform.Generated;

/// <summary>
/// Seeded environment specs of any size with the mix issue 14 measures: half web services, 35 % workers, 15 % cron
/// jobs, one data resource (postgres, bucket, queue or cache) per five services, and <c>uses</c> between them (each
/// service uses one or two data resources and up to two web services). The same arguments always give the same
/// text, so the benchmarks (<c>bench/Benchmarks</c>) and the growth tests (<c>tests/Components.Tests</c>) compile the
/// same environments. This file is shared as source by both projects; it depends on nothing but the BCL.
/// </summary>
internal static class GeneratedSpecs
{
    /// <summary>The seed every benchmark and test uses unless it says otherwise.</summary>
    public const int DefaultSeed = 20261130;

    private static readonly string[] ResourceTypes = ["postgres", "bucket", "queue", "cache"];

    /// <summary>The spec text (YAML) of an environment with <paramref name="services"/> services.</summary>
    /// <param name="services">How many services; resources are one per five services (at least one).</param>
    /// <param name="tier"><c>dev</c>, <c>staging</c> or <c>prod</c>.</param>
    /// <param name="seed">The random seed: the same seed gives the same spec.</param>
    public static string Yaml(int services, string tier = "staging", int seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(services);
        var random = new Random(seed);
        var resources = Math.Max(1, services / 5);
        var text = new StringBuilder(services * 220);
        text.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: platform/v1
            kind: Environment
            metadata: {"{"} name: gen-{services}-{tier}, team: bench, costCenter: cc-1 {"}"}
            spec:
              tier: {tier}
              resources:

            """);
        for (var r = 0; r < resources; r++)
        {
            var type = ResourceTypes[random.Next(ResourceTypes.Length)];
            text.Append(CultureInfo.InvariantCulture, $"    - {{ name: data-{r}, type: {type} }}\n");
        }

        // Types first, so every service knows which services are web (the ones others call).
        var types = new string[services];
        var webs = new List<int>(services / 2 + 1);
        for (var s = 0; s < services; s++)
        {
            var roll = random.Next(100);
            types[s] = roll < 50 ? "web" : roll < 85 ? "worker" : "cron";
            if (types[s] == "web")
            {
                webs.Add(s);
            }
        }

        text.Append("  services:\n");
        for (var s = 0; s < services; s++)
        {
            var uses = new List<string> { $"data-{random.Next(resources)}" };
            if (random.Next(2) == 0)
            {
                uses.Add($"data-{random.Next(resources)}");
            }

            for (var called = random.Next(3); called > 0 && webs.Count > 0; called--)
            {
                var web = webs[random.Next(webs.Count)];
                if (web != s)
                {
                    uses.Add(Name(web));
                }
            }

            text.Append(CultureInfo.InvariantCulture,
                $"    - {{ name: {Name(s)}, type: {types[s]}, image: registry.example.com/bench/{Name(s)}:1.{s % 7}.{s}, uses: [{string.Join(", ", uses.Distinct())}], env: {{ MODE: bench, SHARD: \"{s % 16}\"");
            if (s % 10 == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", API_TOKEN: {{ secret: token-{random.Next():x8} }}");
            }

            text.Append(" }");
            switch (types[s])
            {
                case "web":
                    text.Append(CultureInfo.InvariantCulture, $", host: {Name(s)}");
                    break;
                case "cron":
                    text.Append(CultureInfo.InvariantCulture, $", schedule: \"{random.Next(60)} * * * *\"");
                    break;
                default:
                    break;
            }

            text.Append(" }\n");
        }

        return text.ToString();
    }

    private static string Name(int service) => string.Create(CultureInfo.InvariantCulture, $"svc-{service}");
}
