using Microsoft.EntityFrameworkCore;

namespace Platform.AutomationApi.Auth;

/// <summary>
/// A stored API key: who it is (team, role), when it stops working, and only a salted HMAC of its secret — the key
/// itself is shown once, when it is created, and is not kept anywhere.
/// </summary>
public sealed class ApiKey
{
    /// <summary>Public id: the part of the key between its prefix and its secret, so a key is found by id, not by comparing hashes.</summary>
    public required string Id { get; set; }

    /// <summary>What the key is for, e.g. <c>payments-ci</c>.</summary>
    public required string Name { get; set; }

    /// <summary>The team whose environments it acts on.</summary>
    public required string Team { get; set; }

    /// <summary>What it may do.</summary>
    public PlatformRole Role { get; set; }

    /// <summary>Random per-key salt of <see cref="Hash"/> (base64).</summary>
    public required string Salt { get; set; }

    /// <summary>HMAC-SHA256 of the key's secret under <see cref="Salt"/> (base64).</summary>
    public required string Hash { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who created it (a key id or token subject; <c>bootstrap</c> for the first admin key).</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When it stops working; <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it was revoked; <see langword="null"/> while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When it last authenticated a request, to the resolution of <see cref="PlatformAuthOptions.LastUsedResolution"/>.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Whether it authenticates requests at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || expires > now);

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<ApiKey>(e =>
    {
        e.HasKey(x => x.Id);
        e.Property(x => x.Role).HasConversion<string>();
        e.HasIndex(x => x.Team);
    });
}
