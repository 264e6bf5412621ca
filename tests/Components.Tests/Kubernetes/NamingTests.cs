using Platform.Components.Kubernetes;
using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Kubernetes;

public sealed class NamingTests
{
    [Theory]
    [InlineData("registry.example.com/payments/checkout-api:1.4.2", "1.4.2")]
    [InlineData("registry.example.com:5000/team/app:v2", "v2")]
    [InlineData("registry.example.com:5000/team/app:2.0@sha256:0123456789abcdef0123", "2.0")]
    [InlineData("registry.example.com/team/app@sha256:0123456789abcdef0123", "0123456789ab")]
    [InlineData("registry.example.com:5000/team/app", null)]
    [InlineData("app:_build-7_", "build-7")]
    public void The_version_label_is_the_tag_or_a_short_digest(string image, string? expected)
    {
        Assert.Equal(expected, ImageReference.VersionLabel(image));
    }

    [Fact]
    public void Long_tags_are_cut_to_a_valid_label_value()
    {
        var label = ImageReference.VersionLabel("app:" + new string('a', 62) + "-b");

        Assert.NotNull(label);
        Assert.True(label.Length <= 63);
        Assert.Matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", label);
    }

    [Theory]
    [InlineData(new[] { "api", "DB_PASSWORD" }, "apiDbPassword")]
    [InlineData(new[] { "checkout-api" }, "checkoutApi")]
    [InlineData(new[] { "orders-db", "x.y__z" }, "ordersDbXYZ")]
    public void Camel_case_joins_words_split_on_non_alphanumerics(string[] parts, string expected)
    {
        Assert.Equal(expected, Casing.Camel(parts));
    }

    [Fact]
    public void Camel_case_matches_splitting_on_non_alphanumeric_runs_for_any_text()
    {
        // The definition Casing.Camel once ran as a regular expression split, kept here as the reference.
        static string Reference(string[] parts)
        {
            var result = new System.Text.StringBuilder();
            foreach (var word in System.Text.RegularExpressions.Regex.Split(string.Join('-', parts), "[^A-Za-z0-9]+").Where(w => w.Length > 0))
            {
                var lower = word.ToLowerInvariant();
                result.Append(result.Length == 0 ? lower : char.ToUpperInvariant(lower[0]) + lower[1..]);
            }

            return result.ToString();
        }

        var random = new Random(14);
        const string alphabet = "aZ9_-.x Ü9é/Q0";
        for (var i = 0; i < 5_000; i++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => new string([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
                .ToArray();
            Assert.Equal(Reference(parts), Casing.Camel(parts));
        }
    }

    [Theory]
    [InlineData("250m", "512Mi", Tier.Staging, "500m", "768Mi")]
    [InlineData("0.5", "1Gi", Tier.Dev, "1", "2Gi")]
    [InlineData("1", "512Mi", Tier.Prod, "2", "512Mi")]
    [InlineData("100m", "100M", Tier.Staging, "200m", "150M")]
    public void Limits_scale_requests_in_their_own_unit_family(string cpu, string memory, Tier tier, string cpuLimit, string memoryLimit)
    {
        var sizing = ComputeSizing.From(cpu, memory, TierProfile.For(tier));

        Assert.Equal(cpuLimit, sizing.CpuLimit);
        Assert.Equal(memoryLimit, sizing.MemoryLimit);
    }

    [Fact]
    public void Tls_secret_names_fit_a_label_and_never_take_an_autoname()
    {
        var longName = new string('s', 63);

        Assert.Equal("api-tls", ServiceResources.TlsSecretName("api"));
        Assert.True(ServiceResources.TlsSecretName(longName).Length <= 63);
        // Env and connection objects are autonamed "<logical name>-<8 random characters>" (pulumi-kubernetes
        // provider/pkg/metadata/naming.go); no logical name ends so that the result could end in "-tls".
        foreach (var logical in new[] { ServiceResources.Secret("api"), ServiceResources.ConfigMap("api"), Platform.Components.Planning.LogicalNames.ConnectionSecret("api") })
        {
            Assert.NotEqual("api-tls", logical);
            Assert.False(logical.EndsWith("-tls", StringComparison.Ordinal));
        }
    }
}
