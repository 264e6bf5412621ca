using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Auth;

/// <summary>Issue 12: API keys and OIDC tokens through the real pipeline.</summary>
public sealed class AuthenticationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_credentials_everything_but_health_readiness_and_the_document_is_401_with_WWW_Authenticate()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var anonymous = factory.CreateClient(key: null);

        foreach (var open in new[] { "/healthz", "/readyz", "/openapi/v1.json" })
        {
            using var response = await anonymous.GetAsync(open, Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{open}: {response.StatusCode}");
        }

        foreach (var (method, path) in new[] { ("GET", "/v1/environments"), ("POST", "/v1/environments"), ("GET", "/v1/environments/a"), ("DELETE", "/v1/environments/a"),
                     ("GET", "/v1/operations/op_1"), ("GET", "/v1/golden-paths"), ("GET", "/v1/keys"), ("POST", "/v1/keys"), ("GET", "/v1/schemas/environment.json") })
        {
            using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("An admin creates keys with 'platform keys create --team <team> --role <role>'.", (string)(await PlatformFactory.ReadAsync(response))["detail"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_which_operations_need_it()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var document = JsonNode.Parse(await factory.CreateClient(key: null).GetStringAsync("/openapi/v1.json", Cancel))!;

        Assert.Equal("bearer", (string)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!);
        Assert.NotNull(document["security"]![0]!["bearer"]);
        Assert.Empty(document["paths"]!["/healthz"]!["get"]!["security"]!.AsArray());
        var get = document["paths"]!["/v1/environments/{name}"]!["get"]!;
        Assert.Null(get["security"]);
        Assert.NotNull(get["responses"]!["401"]);
        Assert.NotNull(get["responses"]!["403"]);
    }

    [Fact]
    public async Task Wrong_unknown_and_malformed_keys_are_401_invalid_token()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var key = await factory.CreateKeyAsync("payments", "viewer");
        var (id, _) = ApiKeySecrets.Split(key);

        foreach (var wrong in new[] { $"plat_{id}_{new string('A', 43)}", ApiKeySecrets.Generate().Key, "not-a-key", key + "x", PlatformFactory.AdminKey.ToUpperInvariant() })
        {
            using var client = factory.CreateClient(wrong);
            using var response = await client.GetAsync("/v1/environments", Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{wrong}: {response.StatusCode}");
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var basic = factory.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new("Basic", "dXNlcjpwYXNz");
        using var refused = await basic.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Bearer", (string)(await PlatformFactory.ReadAsync(refused))["detail"]!, StringComparison.Ordinal);

        using var good = factory.CreateClient(key);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/v1/environments", Cancel)).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_stops_at_once_and_an_expired_key_stops_at_its_expiry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), time: time);
        var revoked = await factory.CreateKeyAsync("payments", "developer");
        var expiring = await factory.CreateKeyAsync("payments", "developer", expiresAt: time.GetUtcNow().AddHours(1));
        using var revokedClient = factory.CreateClient(revoked);
        using var expiringClient = factory.CreateClient(expiring);
        Assert.Equal(HttpStatusCode.OK, (await revokedClient.GetAsync("/v1/environments", Cancel)).StatusCode);

        using var revoke = await factory.CreateClient().DeleteAsync($"/v1/keys/{ApiKeySecrets.Split(revoked).Id}", Cancel);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var view = await PlatformFactory.ReadAsync(revoke);
        Assert.False((bool)view["active"]!);
        Assert.NotNull(view["revokedAt"]);
        using var afterRevoke = await revokedClient.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.Contains("revoked", (string)(await PlatformFactory.ReadAsync(afterRevoke))["detail"]!, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await expiringClient.GetAsync("/v1/environments", Cancel)).StatusCode);
        time.Advance(TimeSpan.FromMinutes(1));
        using var afterExpiry = await expiringClient.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry.StatusCode);
        Assert.Contains("expired", (string)(await PlatformFactory.ReadAsync(afterExpiry))["detail"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:15")]
    [InlineData("00:00:00")]
    public async Task A_key_revoked_by_another_replica_is_refused_here_once_the_key_cache_duration_has_passed(string duration)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), time: time,
            configure: s => s["Platform:Auth:KeyCacheDuration"] = duration);
        var key = await factory.CreateKeyAsync("payments", "developer");
        using var client = factory.CreateClient(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/environments", Cancel)).StatusCode);

        // Another replica revokes it: the row changes in the shared store, this replica's cache does not hear of it.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Platform.AutomationApi.Storage.PlatformDbContext>();
            var stored = db.ApiKeys.Single(k => k.Id == ApiKeySecrets.Split(key).Id);
            stored.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync(Cancel);
        }

        var cached = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture);
        if (cached > TimeSpan.Zero)
        {
            time.Advance(cached - TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/environments", Cancel)).StatusCode);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        using var refused = await client.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", (string)(await PlatformFactory.ReadAsync(refused))["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_cache_defaults_are_documented_values()
    {
        var options = new PlatformAuthOptions();
        Assert.Equal(TimeSpan.FromSeconds(15), options.KeyCacheDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.UnknownKeyCacheDuration);
        Assert.Equal(10_000, options.UnknownKeyCacheSize);
    }

    [Fact]
    public async Task An_unknown_key_reads_the_store_once_per_duration_and_a_key_created_here_works_at_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), time: time);
        var unknown = ApiKeySecrets.Generate().Key;
        using var stranger = factory.CreateClient(unknown);
        using (var warmUp = await factory.CreateClient().GetAsync("/v1/golden-paths", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode); // the admin key, read once and cached for 15 s
        }

        var reads = KeyReads(factory);

        for (var i = 0; i < 5; i++)
        {
            using var refused = await stranger.GetAsync("/v1/environments", Cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(1, reads());
        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        using (var stillRefused = await stranger.GetAsync("/v1/environments", Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stillRefused.StatusCode);
        }

        Assert.Equal(1, reads());
        time.Advance(TimeSpan.FromTicks(1));
        using (var readAgain = await stranger.GetAsync("/v1/environments", Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, readAgain.StatusCode);
        }

        Assert.Equal(2, reads());

        // A key created on this replica forgets every unknown id: the new key, whatever was presented before, works at once.
        var cache = factory.Services.GetRequiredService<ApiKeyCache>();
        Assert.Equal(1, cache.UnknownCount);
        var created = await factory.CreateKeyAsync("payments", "viewer");
        Assert.Equal(0, cache.UnknownCount);
        using var newcomer = factory.CreateClient(created);
        using var accepted = await newcomer.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var strangerAgain = await stranger.GetAsync("/v1/environments", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, strangerAgain.StatusCode);
        Assert.Equal(2 + 1 + 1, reads());
    }

    [Fact]
    public async Task Unknown_ids_are_remembered_up_to_a_bound()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:Auth:UnknownKeyCacheSize"] = "3");
        var cache = factory.Services.GetRequiredService<ApiKeyCache>();
        for (var i = 0; i < 10; i++)
        {
            using var stranger = factory.CreateClient(ApiKeySecrets.Generate().Key);
            using var refused = await stranger.GetAsync("/v1/golden-paths", Cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.InRange(cache.UnknownCount, 1, 3);
        }
    }

    [Fact]
    public void The_cache_keeps_a_snapshot_no_caller_can_change()
    {
        var time = new FakeTimeProvider();
        var cache = new ApiKeyCache(time, Microsoft.Extensions.Options.Options.Create(new PlatformAuthOptions()));
        var read = new ApiKeySnapshot("0123456789abcdef", "payments", PlatformRole.Viewer, "salt", "hash", null, null, null);
        cache.Remember(read);
        var used = time.GetUtcNow();
        cache.Used(read.Id, used);

        Assert.True(cache.TryFind(read.Id, out var found));
        Assert.Equal(used, found!.LastUsedAt);
        Assert.Null(read.LastUsedAt);
        Assert.Equal(read with { LastUsedAt = used }, found);
    }

    /// <summary>How many keys the service has read from the store since this was called (SQL parameters are not logged).</summary>
    private static Func<int> KeyReads(PlatformFactory factory)
    {
        int Count() => factory.Logs.Records.Count(r =>
            r.Category == "Microsoft.EntityFrameworkCore.Database.Command" && r.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal) &&
            r.Message.Contains("FROM \"ApiKeys\"", StringComparison.Ordinal));
        var before = Count();
        return () => Count() - before;
    }

    [Fact]
    public async Task Last_use_is_written_at_most_once_per_resolution()
    {
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), time: time);
        var key = await factory.CreateKeyAsync("payments", "viewer");
        var id = ApiKeySecrets.Split(key).Id;
        using var client = factory.CreateClient(key);
        async Task<DateTimeOffset?> LastUsedAsync() =>
            (DateTimeOffset?)(await factory.CreateClient().GetFromJsonAsync<JsonObject>($"/v1/keys/{id}", Cancel))!["lastUsedAt"];

        Assert.Null(await LastUsedAsync());
        await client.GetAsync("/v1/environments", Cancel);
        Assert.Equal(start, await LastUsedAsync());
        time.Advance(TimeSpan.FromSeconds(59));
        await client.GetAsync("/v1/environments", Cancel);
        Assert.Equal(start, await LastUsedAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        await client.GetAsync("/v1/environments", Cancel);
        Assert.Equal(start.AddMinutes(1), await LastUsedAsync());
    }

    [Fact]
    public async Task Keys_are_shown_once_and_appear_nowhere_in_the_database_file_or_the_logs()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var created = await factory.CreateClient().PostAsJsonAsync("/v1/keys", new { name = "payments-ci", team = "payments", role = "developer" }, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await PlatformFactory.ReadAsync(created);
        var key = (string)body["key"]!;
        Assert.StartsWith(ApiKeySecrets.Prefix, key, StringComparison.Ordinal);
        Assert.Equal($"/v1/keys/{body["details"]!["id"]}", created.Headers.Location!.OriginalString);

        using var client = factory.CreateClient(key);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/environments", new StringContent(Specs.Dev("keys-dev"), Encoding.UTF8, "application/yaml"), Cancel)).StatusCode);
        var list = await factory.CreateClient().GetStringAsync("/v1/keys", Cancel);
        var single = await factory.CreateClient().GetStringAsync($"/v1/keys/{body["details"]!["id"]}", Cancel);
        factory.Dispose();

        var secret = ApiKeySecrets.Split(key).Secret;
        foreach (var text in new[] { list, single, string.Join('\n', factory.Logs.Lines) })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(PlatformFactory.AdminKey, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("\"key\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", list, StringComparison.OrdinalIgnoreCase);
        var files = Directory.GetFiles(factory.DataDirectory, "*.db*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file, Cancel);
            foreach (var plain in new[] { key, secret, PlatformFactory.AdminKey })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plain)) < 0, $"{file} holds a key");
            }
        }
    }

    [Fact]
    public async Task A_fresh_store_prints_its_first_admin_key_once_and_it_works_and_a_restart_prints_none()
    {
        var data = Path.Combine(Path.GetTempPath(), "platform-tests", Guid.NewGuid().ToString("N"));
        using var first = new StringWriter();
        string printed;
        using (var factory = new PlatformFactory(dataDirectory: data, engine: new InMemoryStackEngine(), configure: s => s.Remove("Platform:Auth:BootstrapAdminKey"))
        {
            TestServices = services => services.AddSingleton(new BootstrapKeyOutput(first)),
        })
        {
            using var client = factory.CreateClient(key: null);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", Cancel)).StatusCode);
            printed = first.ToString();
            var key = printed.Split(' ').Last().Trim();
            Assert.StartsWith(ApiKeySecrets.Prefix, key, StringComparison.Ordinal);
            using var admin = factory.CreateClient(key);
            var keys = await admin.GetFromJsonAsync<JsonArray>("/v1/keys", Cancel);
            Assert.Equal("admin", (string)Assert.Single(keys!)!["role"]!);
            Assert.DoesNotContain(key, string.Join('\n', factory.Logs.Lines), StringComparison.Ordinal);
        }

        using var second = new StringWriter();
        using (var factory = new PlatformFactory(dataDirectory: data, engine: new InMemoryStackEngine(), configure: s => s.Remove("Platform:Auth:BootstrapAdminKey"))
        {
            TestServices = services => services.AddSingleton(new BootstrapKeyOutput(second)),
        })
        {
            using var client = factory.CreateClient(printed.Split(' ').Last().Trim());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys", Cancel)).StatusCode);
        }

        Assert.Equal("", second.ToString());
    }

    [Fact]
    public async Task Key_requests_name_each_bad_field_and_only_admins_manage_keys()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var bad = await factory.CreateClient().PostAsJsonAsync("/v1/keys", new { name = "", team = "no spaces", role = "owner", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await PlatformFactory.ReadAsync(bad))["errors"]!.AsObject();
        Assert.Equal(["expiresAt", "name", "role", "team"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("viewer, developer, operator, admin", (string)errors["role"]![0]!, StringComparison.Ordinal);

        var operatorKey = await factory.CreateKeyAsync("payments", "operator");
        using var client = factory.CreateClient(operatorKey);
        using var denied = await client.PostAsJsonAsync("/v1/keys", new { name = "x", team = "payments", role = "admin" }, Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("'admin'", (string)(await PlatformFactory.ReadAsync(denied))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/keys", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().DeleteAsync("/v1/keys/0123456789abcdef", Cancel)).StatusCode);
    }

    [Fact]
    public async Task An_OIDC_token_from_the_configured_issuer_acts_for_its_team_and_role_and_others_are_refused()
    {
        var signing = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s =>
        {
            s["Platform:Auth:Jwt:Issuer"] = "https://idp.example.test";
            s["Platform:Auth:Jwt:Audience"] = "platform";
            s["Platform:Auth:Jwt:TeamClaim"] = "groups_team";
        })
        {
            // The test issuer's key, given to the handler directly: no discovery document, no network.
            TestServices = services => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
                o => o.TokenValidationParameters.IssuerSigningKey = signing),
        };
        string Token(string issuer = "https://idp.example.test", string audience = "platform", string? team = "payments", string role = "developer", SecurityKey? key = null)
        {
            var claims = new Dictionary<string, object> { ["sub"] = "alice@example.test", ["platform_role"] = role };
            if (team is not null)
            {
                claims["groups_team"] = team;
            }

            return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = audience,
                Claims = claims,
                Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new SigningCredentials(key ?? signing, SecurityAlgorithms.HmacSha256),
            });
        }

        using var developer = factory.CreateClient(Token());
        using var created = await developer.PostAsync("/v1/environments", new StringContent(Specs.Dev("oidc-dev"), Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        using var otherTeam = await developer.PostAsync("/v1/environments", new StringContent(Specs.Dev("oidc-other", team: "shipping"), Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await developer.GetAsync("/v1/keys", Cancel)).StatusCode);

        foreach (var bad in new[] { Token(issuer: "https://evil.example.test"), Token(audience: "other"), Token(team: null), Token(role: "owner"),
                     Token(key: new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32))) })
        {
            using var client = factory.CreateClient(bad);
            using var response = await client.GetAsync("/v1/environments", Cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.First().Scheme);
        }
    }
}
