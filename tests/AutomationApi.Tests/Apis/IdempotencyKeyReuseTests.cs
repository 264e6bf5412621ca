using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// An Idempotency-Key reused for another request is a 422 that says what differed: a DELETE has no body, so a key
/// reused across DELETE and DELETE ?force=true was told of "a different request body" it never sent.
/// </summary>
public sealed class IdempotencyKeyReuseTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_reused_with_another_query_string_names_the_request_and_its_query_not_a_body()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("reuse-dev"));
        var client = factory.CreateClient();

        using var plain = await client.SendAsync(Keyed(HttpMethod.Delete, "/v1/environments/reuse-dev", "destroy-1"), Cancel);
        using var forced = await client.SendAsync(Keyed(HttpMethod.Delete, "/v1/environments/reuse-dev?force=true", "destroy-1"), Cancel);

        Assert.True(plain.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"{plain.StatusCode}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, forced.StatusCode);
        var detail = (string)(await PlatformFactory.ReadAsync(forced))["detail"]!;
        Assert.Contains("DELETE /v1/environments/reuse-dev", detail, StringComparison.Ordinal);
        Assert.Contains("another query string (this request's: '?force=true')", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("another body", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("request body", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_reused_with_another_body_says_the_body_differed()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());

        using var first = await factory.PostSpecAsync(Specs.Dev("reuse-one"), idempotencyKey: "create-1");
        using var second = await factory.PostSpecAsync(Specs.Dev("reuse-two"), idempotencyKey: "create-1");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        var detail = (string)(await PlatformFactory.ReadAsync(second))["detail"]!;
        Assert.Contains("POST /v1/environments request with another body.", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_with_a_query_keeps_replaying_under_a_key_stored_before_the_query_was_hashed_apart()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("legacy-dev"));
        var client = factory.CreateClient();
        using var first = await client.SendAsync(Keyed(HttpMethod.Delete, "/v1/environments/legacy-dev?force=true", "destroy-legacy"), Cancel);
        Assert.True(first.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"{first.StatusCode}");

        // What an earlier release stored for that request: one hash of the (empty) body and the query together.
        var legacy = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("force=true"u8));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel))
        {
            var record = await db.IdempotencyKeys.SingleAsync(k => k.Key.EndsWith(" destroy-legacy"), Cancel);
            record.RequestHash = legacy;
            await db.SaveChangesAsync(Cancel);
        }

        using var retry = await client.SendAsync(Keyed(HttpMethod.Delete, "/v1/environments/legacy-dev?force=true", "destroy-legacy"), Cancel);

        Assert.True(retry.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"{retry.StatusCode}");

        // The same key on a plain DELETE: the stored fingerprint has no query part, yet a DELETE has no body, so what
        // differed is the query string.
        using var plain = await client.SendAsync(Keyed(HttpMethod.Delete, "/v1/environments/legacy-dev", "destroy-legacy"), Cancel);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, plain.StatusCode);
        var detail = (string)(await PlatformFactory.ReadAsync(plain))["detail"]!;
        Assert.Contains("DELETE /v1/environments/legacy-dev request with another query string (this request's: none).", detail, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Keyed(HttpMethod method, string path, string key)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
