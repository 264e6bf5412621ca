using Platform.Components.Specs;
using Platform.Components.Tiers;

namespace Platform.AutomationApi.Environments;

/// <summary>When an environment expires, decided from the spec that was last deployed to it.</summary>
public static class EnvironmentExpiry
{
    /// <summary>When an environment created at <paramref name="now"/> expires: its TTL or the tier default; never for prod.</summary>
    /// <param name="spec">The spec it is created from.</param>
    /// <param name="now">When it is created.</param>
    public static DateTimeOffset? AtCreation(EnvironmentSpec spec, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var profile = TierProfile.For(spec.Tier);
        if (profile.DefaultTtl is null && profile.MaxTtl is null)
        {
            return null;
        }

        return (spec.Ttl ?? profile.DefaultTtl) is { } ttl ? now + ttl : null;
    }

    /// <summary>
    /// The expiry after <paramref name="deployed"/> was deployed at <paramref name="now"/> (a create or an update):
    /// never for a tier without a maximum TTL (prod); <paramref name="now"/> plus the spec's own ttl when it has one
    /// (validation keeps that within the tier maximum); otherwise the current expiry while the tier stays the same, and
    /// the new tier's default counted from <paramref name="now"/> when the tier changed or there was no expiry.
    /// </summary>
    public static DateTimeOffset? AfterDeploy(EnvironmentSpec deployed, Tier previousTier, DateTimeOffset? current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        var profile = TierProfile.For(deployed.Tier);
        if (profile.MaxTtl is null)
        {
            return null;
        }

        if (deployed.Ttl is { } ttl)
        {
            return now + ttl;
        }

        if (current is not null && previousTier == deployed.Tier)
        {
            return current;
        }

        return now + (profile.DefaultTtl ?? profile.MaxTtl.Value);
    }
}
