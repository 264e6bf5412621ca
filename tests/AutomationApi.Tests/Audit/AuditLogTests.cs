using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Audit;

/// <summary>Issue 12: every mutating request and every operation outcome is in the audit log, append-only, without secrets.</summary>
public sealed class AuditLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_mutation_is_recorded_with_its_result_refusals_included_and_operation_outcomes_with_their_actor()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var developer = await factory.CreateKeyAsync("payments", "developer");
        var developerId = $"key:{ApiKeySecrets.Split(developer).Id}";
        var viewer = await factory.CreateKeyAsync("payments", "viewer");
        var otherTeam = await factory.CreateKeyAsync("search", "developer");
        using var client = factory.CreateClient(developer);

        using var create = Post("/v1/environments", Specs.Dev("audited-dev"), "release-1");
        using var created = await client.SendAsync(create, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
        var operation = await factory.WaitForOperationAsync(operationId);
        Assert.Equal("succeeded", (string)operation["state"]!);

        using var mismatch = Post("/v1/environments", Specs.Dev("audited-other"), "release-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SendAsync(mismatch, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.SendAsync(Post("/v1/environments", Specs.Dev("audited-dev")), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient(viewer).SendAsync(Post("/v1/environments", Specs.Dev("viewer-dev")), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient(otherTeam).DeleteAsync("/v1/environments/audited-dev", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(null).SendAsync(Post("/v1/environments", Specs.Dev("anonymous-dev")), Cancel)).StatusCode);
        var destroyed = await client.DeleteAsync("/v1/environments/audited-dev", Cancel);
        Assert.Equal(HttpStatusCode.Accepted, destroyed.StatusCode);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroyed))["id"]!);

        var entries = await AllAsync(factory.CreateClient(), "");

        var accepted = Assert.Single(entries, e => (string?)e["action"] == "environment.create" && (string?)e["result"] == "202");
        Assert.Equal(developerId, (string?)accepted["actor"]);
        Assert.Equal("payments", (string?)accepted["team"]);
        Assert.Equal("developer", (string?)accepted["role"]);
        Assert.Equal("audited-dev", (string?)accepted["environment"]);
        Assert.Equal(operationId, (string?)accepted["operationId"]);
        Assert.Equal("release-1", (string?)accepted["idempotencyKey"]);
        Assert.False(string.IsNullOrEmpty((string?)accepted["requestId"]));
        Assert.Contains(entries, e => (string?)e["action"] == "environment.create" && (string?)e["result"] == "422" && (string?)e["idempotencyKey"] == "release-1");
        Assert.Contains(entries, e => (string?)e["action"] == "environment.create" && (string?)e["result"] == "409" && (string?)e["actor"] == developerId);
        Assert.Contains(entries, e => (string?)e["action"] == "environment.create" && (string?)e["result"] == "403" && (string?)e["role"] == "viewer");
        Assert.Contains(entries, e => (string?)e["action"] == "environment.destroy" && (string?)e["result"] == "404" && (string?)e["team"] == "search");
        Assert.Contains(entries, e => (string?)e["action"] == "environment.create" && (string?)e["result"] == "401" && e["actor"] is null);
        Assert.Contains(entries, e => (string?)e["action"] == "environment.destroy" && (string?)e["result"] == "202" && (string?)e["environment"] == "audited-dev");
        Assert.Equal(3, entries.Count(e => (string?)e["action"] == "key.create" && (string?)e["result"] == "201"));
        Assert.Contains(entries, e => (string?)e["action"] == "key.create" && ((string?)e["detail"])!.Contains("team search, role developer", StringComparison.Ordinal));

        // Outcomes: who asked, the environment's team, how it ended, timed by the service's clock.
        var succeeded = entries.Where(e => (string?)e["action"] == "operation.succeeded").ToList();
        Assert.Equal(2, succeeded.Count);
        var createdOutcome = Assert.Single(succeeded, e => (string?)e["operationId"] == operationId);
        Assert.Equal(developerId, (string?)createdOutcome["actor"]);
        Assert.Equal("payments", (string?)createdOutcome["team"]);
        Assert.Equal("succeeded", (string?)createdOutcome["result"]);
        Assert.Equal("audited-dev", (string?)createdOutcome["environment"]);
        Assert.StartsWith("create by api", (string?)createdOutcome["detail"], StringComparison.Ordinal);

        // Reads are not audited; and the history names who asked.
        Assert.DoesNotContain(entries, e => ((string)e["action"]!).StartsWith("list", StringComparison.Ordinal));
        var history = await factory.CreateClient().GetFromJsonAsync<JsonObject>("/v1/environments/audited-dev/operations", Cancel);
        Assert.All(history!["items"]!.AsArray(), h => Assert.Equal(developerId, (string?)h!["actor"]));
    }

    [Fact]
    public async Task Failed_and_cancelled_operations_are_recorded_with_their_outcome()
    {
        var engine = new InMemoryStackEngine();
        using var factory = new PlatformFactory(engine: engine);
        engine.Script(EngineCommand.Up, EngineScript.Fail(new EngineError(EngineErrorCodes.Resource, "creating 'api' failed", false)));
        var failed = await factory.CreateAndWaitAsync(Specs.Dev("failing-dev"));
        Assert.Equal("failed", (string)failed["state"]!);

        engine.Script(EngineCommand.Up, EngineScript.Hold);
        using var held = await factory.PostSpecAsync(Specs.Dev("held-dev"));
        var heldId = (string)(await PlatformFactory.ReadAsync(held))["id"]!;
        await factory.WaitForEngineStepAsync(heldId);
        using var queued = await factory.CreateClient().PostAsync("/v1/environments/held-dev/refresh", null, Cancel);
        var queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
        Assert.Equal(HttpStatusCode.Accepted, (await factory.CreateClient().PostAsync($"/v1/operations/{queuedId}/cancel", null, Cancel)).StatusCode);
        engine.Release("held-dev");
        await factory.WaitForOperationAsync(heldId);

        var entries = await AllAsync(factory.CreateClient(), "?action=operation.");
        var failure = Assert.Single(entries, e => (string?)e["operationId"] == (string)failed["id"]!);
        Assert.Equal("operation.failed", (string?)failure["action"]);
        Assert.Equal("failed", (string?)failure["result"]);
        Assert.Contains(EngineErrorCodes.Resource, (string?)failure["detail"], StringComparison.Ordinal);
        var cancelled = Assert.Single(entries, e => (string?)e["operationId"] == queuedId && (string?)e["action"] != "operation.cancel");
        Assert.Equal("operation.cancelled", (string?)cancelled["action"]);
        Assert.Equal("held-dev", (string?)cancelled["environment"]);

        // The cancel request itself, with the operation it named and that operation's environment.
        var cancelRequest = Assert.Single(await AllAsync(factory.CreateClient(), "?action=operation.cancel"));
        Assert.Equal(queuedId, (string?)cancelRequest["operationId"]);
        Assert.Equal("held-dev", (string?)cancelRequest["environment"]);
        Assert.Equal("202", (string?)cancelRequest["result"]);
    }

    [Fact]
    public async Task An_operation_a_crash_interrupted_is_recorded_interrupted_and_its_rerun_keeps_the_actor()
    {
        string dataDirectory;
        string operationId;
        using (var first = new PlatformFactory())
        {
            dataDirectory = first.DataDirectory;
            first.Fake.Behave("up", "hang-crash");
            using var created = await first.PostSpecAsync(Specs.Dev("crashed-dev"));
            operationId = (string)(await PlatformFactory.ReadAsync(created))["id"]!;
            // The step the stand-in holds in flight, where it takes the host's interrupt at once (StartupRecoveryTests).
            await first.WaitForEngineStepAsync(operationId, "kubernetes:apps/v1:Deployment");
        }

        using var second = new PlatformFactory(dataDirectory);
        second.Fake.Behave("up", "ok");
        var interrupted = await second.WaitForOperationAsync(operationId);
        var rerun = await second.WaitForOperationAsync((string)interrupted["retriedAs"]!);
        Assert.Equal("succeeded", (string)rerun["state"]!);

        var admin = $"key:{ApiKeySecrets.Split(PlatformFactory.AdminKey).Id}";
        var entries = await AllAsync(second.CreateClient(), "?environment=crashed-dev&action=operation.");
        var entry = Assert.Single(entries, e => (string?)e["action"] == "operation.interrupted");
        Assert.Equal(operationId, (string?)entry["operationId"]);
        Assert.Equal("interrupted", (string?)entry["result"]);
        Assert.Equal(admin, (string?)entry["actor"]);
        var rerunEntry = Assert.Single(entries, e => (string?)e["operationId"] == (string)rerun["id"]!);
        Assert.Equal("operation.succeeded", (string?)rerunEntry["action"]);
        Assert.Equal(admin, (string?)rerunEntry["actor"]);
        Assert.Contains("by recovery", (string?)rerunEntry["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_log_filters_by_team_actor_action_environment_and_time_and_pages_by_cursor_and_only_admins_read_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), time: time);
        var payments = await factory.CreateKeyAsync("payments", "developer");
        var search = await factory.CreateKeyAsync("search", "developer");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await factory.CreateClient(payments).SendAsync(Post("/v1/environments", Specs.Dev($"pay-{i}")), Cancel)).StatusCode);
        }

        time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await factory.CreateClient(search).SendAsync(Post("/v1/environments", Specs.Dev($"find-{i}", team: "search")), Cancel)).StatusCode);
        }

        using var admin = factory.CreateClient();
        Assert.Equal(3, (await AllAsync(admin, "?team=payments&action=environment.create")).Count);
        Assert.Equal(2, (await AllAsync(admin, $"?actor=key:{ApiKeySecrets.Split(search).Id}&action=environment.create")).Count);
        Assert.Single(await AllAsync(admin, "?environment=pay-1&action=environment.create"));
        Assert.Equal(2, (await AllAsync(admin, "?action=environment.create&since=2026-12-01T09:30:00Z")).Count);
        Assert.Equal(3, (await AllAsync(admin, "?action=environment.create&until=2026-12-01T09:30:00Z")).Count);

        // Pages of two, newest first, together exactly the whole filtered log.
        var paged = await AllAsync(admin, "?action=environment.create", limit: 2);
        Assert.Equal(5, paged.Count);
        Assert.Equal(paged.Select(e => (long)e["sequence"]!).OrderDescending(), paged.Select(e => (long)e["sequence"]!));
        Assert.Equal(["find-1", "find-0", "pay-2", "pay-1", "pay-0"], paged.Select(e => (string)e["environment"]!));

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/audit?cursor=bogus", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/audit?limit=0", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient(payments).GetAsync("/v1/audit", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(null).GetAsync("/v1/audit", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Neither_the_log_nor_the_database_file_holds_a_key_or_a_spec_secret()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var key = await factory.CreateKeyAsync("payments", "developer");
        using var client = factory.CreateClient(key);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(await client.SendAsync(Post("/v1/environments", Specs.Dev("secretive-dev"), "k-1"), Cancel)))["id"]!);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Put("/v1/environments/secretive-dev", Specs.Dev("secretive-dev")), Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(key + "x").SendAsync(Post("/v1/environments", Specs.Dev("wrong-key-dev")), Cancel)).StatusCode);
        var log = await factory.CreateClient().GetStringAsync("/v1/audit?limit=200", Cancel);
        Assert.Contains("secretive-dev", log, StringComparison.Ordinal);
        factory.Dispose();

        var secret = ApiKeySecrets.Split(key).Secret;
        foreach (var plain in new[] { key, secret, PlatformFactory.AdminKey, Specs.Secret })
        {
            Assert.DoesNotContain(plain, log, StringComparison.Ordinal);
        }

        var files = Directory.GetFiles(factory.DataDirectory, "*.db*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file, Cancel);
            foreach (var plain in new[] { key, secret, PlatformFactory.AdminKey, Specs.Secret })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plain)) < 0, $"{file} holds a key or the secret");
            }
        }
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task The_database_refuses_changing_or_deleting_entries(string kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), store: store);
        await factory.CreateKeyAsync("payments", "viewer");
        Assert.NotEmpty(await AllAsync(factory.CreateClient(), ""));

        foreach (var sql in new[] { "UPDATE \"AuditLog\" SET \"Result\" = '200'", "DELETE FROM \"AuditLog\"" })
        {
            if (kind == TestStore.Sqlite)
            {
                await using var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "platform.db")}");
                await connection.OpenAsync(Cancel);
                await using var command = new SqliteCommand(sql, connection);
                var refused = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(Cancel));
                Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
            }
            else
            {
                var refused = await Assert.ThrowsAsync<PostgresException>(() => store.ScalarAsync(sql));
                Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
            }
        }

        if (kind == TestStore.Postgres)
        {
            Assert.Contains("append-only", (await Assert.ThrowsAsync<PostgresException>(() => store.ScalarAsync("TRUNCATE \"AuditLog\""))).MessageText, StringComparison.Ordinal);
        }
    }

    /// <summary>Every entry the query finds, following nextCursor page by page.</summary>
    private static async Task<List<JsonObject>> AllAsync(HttpClient admin, string query, int limit = 200)
    {
        var entries = new List<JsonObject>();
        var separator = query.Length == 0 ? "?" : "&";
        string? cursor = null;
        do
        {
            var page = await admin.GetFromJsonAsync<JsonObject>($"/v1/audit{query}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"), Cancel);
            entries.AddRange(page!["items"]!.AsArray().Select(e => e!.AsObject()));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);
        return entries;
    }

    private static HttpRequestMessage Post(string path, string spec, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(spec, Encoding.UTF8, "application/yaml") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private static HttpRequestMessage Put(string path, string spec) =>
        new(HttpMethod.Put, path) { Content = new StringContent(spec, Encoding.UTF8, "application/yaml") };
}
