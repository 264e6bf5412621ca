namespace Platform.AutomationApi.Auth;

/// <summary>
/// Authentication settings, bound from <c>Platform:Auth</c> (environment variables such as
/// <c>Platform__Auth__BootstrapAdminKey</c>).
/// </summary>
public sealed class PlatformAuthOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Platform:Auth";

    /// <summary>
    /// An admin key to create on start when the store holds no active admin key (at least 24 characters; a key made by
    /// <c>POST /v1/keys</c> works too). Without it, a fresh store's first admin key is generated and printed once to
    /// standard output (never to the log).
    /// </summary>
    /// <value>The default is none.</value>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>The team of the bootstrap admin key.</summary>
    /// <value>The default is <c>platform</c>.</value>
    public string BootstrapTeam { get; set; } = "platform";

    /// <summary>
    /// How stale a key's last-used time may get: a request writes it only when the stored one is older, so busy keys
    /// do not turn every read into a write.
    /// </summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan LastUsedResolution { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a replica trusts a key it read from the store before reading it again (<see cref="ApiKeyCache"/>):
    /// the longest a revoke made on another replica takes to reach this one. <c>00:00:00</c> reads the store on every
    /// request.
    /// </summary>
    /// <value>The default is 15 seconds.</value>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a replica remembers that an id names no key (<see cref="ApiKeyCache"/>), so repeated requests with an
    /// unknown key do not read the store each time. A key created on this replica is usable at once regardless.
    /// <c>00:00:00</c> reads the store for every unknown key.
    /// </summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan UnknownKeyCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most unknown ids remembered at once; past it the list starts again empty, so random ids cannot grow memory.</summary>
    /// <value>The default is 10,000.</value>
    public int UnknownKeyCacheSize { get; set; } = 10_000;

    /// <summary>Lifetime of a key created without <c>expiresAt</c>.</summary>
    /// <value>The default is 90 days.</value>
    public TimeSpan DefaultKeyLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>OIDC bearer tokens (section <c>Platform:Auth:Jwt</c>); off unless an issuer or authority is set.</summary>
    /// <value>The defaults are those of <see cref="PlatformJwtOptions"/>.</value>
    public PlatformJwtOptions Jwt { get; set; } = new();
}

/// <summary>
/// OIDC bearer tokens (JWTs from a company's identity provider), validated by ASP.NET Core's JWT bearer handler,
/// bound from <c>Platform:Auth:Jwt</c>.
/// </summary>
public sealed class PlatformJwtOptions
{
    /// <summary>
    /// The identity provider's base address: its signing keys are read from its OpenID Connect discovery document.
    /// </summary>
    /// <value>The default is none.</value>
    public string? Authority { get; set; }

    /// <summary>The issuer (<c>iss</c>) tokens must carry; the authority when not set.</summary>
    /// <value>The default is none.</value>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) tokens must be issued for; required when tokens are accepted.</summary>
    /// <value>The default is none.</value>
    public string? Audience { get; set; }

    /// <summary>The claim that names the caller's team.</summary>
    /// <value>The default is <c>team</c>.</value>
    public string TeamClaim { get; set; } = "team";

    /// <summary>The claim that names the caller's role (<c>viewer</c>, <c>developer</c>, <c>operator</c>, <c>admin</c>).</summary>
    /// <value>The default is <c>platform_role</c>.</value>
    public string RoleClaim { get; set; } = "platform_role";

    /// <summary>Whether tokens are accepted (an issuer or an authority is configured).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(Issuer);
}
