using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Audit;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components;

namespace Platform.AutomationApi.Tests.Audit;

/// <summary>
/// Issue 14: an accepted create is one transaction — environment, operation, its first event, idempotency key and
/// audit entry — and the audit still records refusals, failed saves and handlers that throw.
/// </summary>
public sealed class RequestAuditTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_accepted_create_saves_its_environment_operation_event_key_and_audit_entry_in_one_save()
    {
        var saves = new SaveRecorder();
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine())
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(saves)),
        };
        using var client = factory.CreateClient();

        using var request = Post(Specs.Dev("one-save-dev"), idempotencyKey: "one-save-1");
        using var response = await client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var operationId = (string)(await PlatformFactory.ReadAsync(response))["id"]!;

        // The request's rows, all in one save; no other save wrote any of them (the worker's claim, which starts the
        // operation with its "running" event, comes after and is the worker's).
        var mine = saves.Saved.Where(s => s.Any(row => row.Contains("one-save-dev", StringComparison.Ordinal) || row.Contains("one-save-1", StringComparison.Ordinal))).ToList();
        var save = Assert.Single(mine, s => s.Contains("Added EnvironmentRecord one-save-dev"));
        Assert.All(mine.Where(s => !ReferenceEquals(s, save)), other => Assert.DoesNotContain(other, row =>
            row.StartsWith("Added EnvironmentRecord", StringComparison.Ordinal) || row.Contains("AuditEntry environment.create", StringComparison.Ordinal) ||
            row.Contains("IdempotencyRecord", StringComparison.Ordinal) || row.StartsWith("Added StackOperation", StringComparison.Ordinal)));
        Assert.Contains("Added EnvironmentRecord one-save-dev", save);
        Assert.Contains(save, row => row.StartsWith($"Added StackOperation {operationId}", StringComparison.Ordinal));
        Assert.Contains(save, row => row.StartsWith($"Added OperationEvent {operationId}", StringComparison.Ordinal));
        Assert.Contains(save, row => row.StartsWith("Added IdempotencyRecord", StringComparison.Ordinal) && row.EndsWith("one-save-1", StringComparison.Ordinal));
        Assert.Contains("Added AuditEntry environment.create 202 one-save-dev", save);

        var entries = await AuditAsync(client, "environment.create");
        var entry = Assert.Single(entries, e => (string?)e["environment"] == "one-save-dev");
        Assert.Equal(("202", operationId, "one-save-1"), ((string?)entry["result"], (string?)entry["operationId"], (string?)entry["idempotencyKey"]));
    }

    [Fact]
    public async Task A_create_whose_operation_insert_fails_leaves_neither_environment_nor_accepted_entry_and_its_refusal_is_recorded()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var client = factory.CreateClient();
        await ExecuteAsync(factory, """
            CREATE TRIGGER "test_refuse_operation" BEFORE INSERT ON "Operations" WHEN NEW."EnvironmentName" = 'doomed-dev'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """);

        using var response = await client.SendAsync(Post(Specs.Dev("doomed-dev")), Cancel);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/environments/doomed-dev", Cancel)).StatusCode);
        Assert.Equal(0L, await ScalarAsync(factory, "SELECT count(*) FROM \"Environments\" WHERE \"Name\" = 'doomed-dev'"));
        Assert.Equal(0L, await ScalarAsync(factory, "SELECT count(*) FROM \"Events\" WHERE \"Message\" LIKE '%doomed-dev%'"));
        var entry = Assert.Single(await AuditAsync(client, "environment.create"), e => (string?)e["environment"] == "doomed-dev");
        Assert.Equal("409", (string?)entry["result"]);
        Assert.Null(entry["operationId"]);
    }

    [Fact]
    public async Task A_create_whose_audit_entry_cannot_be_written_is_not_accepted_and_nothing_of_it_stays()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var client = factory.CreateClient();
        await ExecuteAsync(factory, """
            CREATE TRIGGER "test_refuse_accepted_entry" BEFORE INSERT ON "AuditLog" WHEN NEW."Environment" = 'unaudited-dev' AND NEW."Result" = '202'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """);

        using var response = await client.SendAsync(Post(Specs.Dev("unaudited-dev")), Cancel);

        Assert.NotEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0L, await ScalarAsync(factory, "SELECT count(*) FROM \"Environments\" WHERE \"Name\" = 'unaudited-dev'"));
        Assert.Equal(0L, await ScalarAsync(factory, "SELECT count(*) FROM \"Operations\" WHERE \"EnvironmentName\" = 'unaudited-dev'"));
        var entry = Assert.Single(await AuditAsync(client, "environment.create"), e => (string?)e["environment"] == "unaudited-dev");
        Assert.Equal(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)entry["result"]);
    }

    [Fact]
    public async Task A_handler_that_throws_is_recorded_as_its_500_and_an_unauthenticated_write_as_its_401()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine())
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(new ThrowOnEnvironment("throwing-dev"))),
        };
        using var client = factory.CreateClient();

        using var thrown = await client.SendAsync(Post(Specs.Dev("throwing-dev")), Cancel);
        using var anonymous = await factory.CreateClient(null).SendAsync(Post(Specs.Dev("anonymous-dev")), Cancel);

        Assert.Equal(HttpStatusCode.InternalServerError, thrown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var entries = await AuditAsync(client, "environment.create");
        var failed = Assert.Single(entries, e => (string?)e["environment"] == "throwing-dev");
        Assert.Equal("500", (string?)failed["result"]);
        Assert.Null(failed["operationId"]);
        Assert.Contains(entries, e => (string?)e["result"] == "401" && e["actor"] is null);
        Assert.Equal(0L, await ScalarAsync(factory, "SELECT count(*) FROM \"Environments\" WHERE \"Name\" = 'throwing-dev'"));
    }

    [Fact]
    public async Task A_refusal_whose_audit_entry_cannot_be_written_is_answered_as_it_would_be()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var client = factory.CreateClient();
        await ExecuteAsync(factory, """
            CREATE TRIGGER "test_refuse_refusals" BEFORE INSERT ON "AuditLog" WHEN NEW."Result" IN ('401', '404')
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """);

        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/v1/environments/nowhere-dev", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(null).SendAsync(Post(Specs.Dev("anonymous-dev")), Cancel)).StatusCode);
        Assert.Contains(factory.Logs.Records, e => e.Message.StartsWith("Could not write the audit entry of DELETE /v1/environments/nowhere-dev", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_create_refused_by_a_cost_quota_compiles_its_spec_once_and_an_accepted_one_once_in_all()
    {
        using var compiles = new CompileCounter();
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = 0.01m }, Cancel)).StatusCode);

        using var refused = await client.SendAsync(Post(Specs.Dev("priced-dev")), Cancel);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("monthlyCost", (string?)(await PlatformFactory.ReadAsync(refused))["quota"]);
        Assert.Equal(1, compiles.Of("priced-dev"));

        // Accepted under a limit it fits: compiled once before the 202, and its operation deploys that plan.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/v1/quotas/payments", new { monthlyCost = 100000m }, Cancel)).StatusCode);
        using var accepted = await client.SendAsync(Post(Specs.Dev("priced-ok-dev")), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var operation = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(accepted))["id"]!);
        Assert.Equal("succeeded", (string?)operation["state"]);
        Assert.Equal(1, compiles.Of("priced-ok-dev"));
        Assert.True((decimal)(await factory.GetEnvironmentAsync("priced-ok-dev"))["costEstimate"]!["monthlyTotal"]! > 0);
    }

    private static HttpRequestMessage Post(string spec, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments") { Content = new StringContent(spec, Encoding.UTF8, "application/yaml") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyFilter.Header, idempotencyKey);
        }

        return request;
    }

    private static async Task<List<JsonObject>> AuditAsync(HttpClient admin, string action) =>
        [.. (await admin.GetFromJsonAsync<JsonObject>($"/v1/audit?action={action}&limit=200", Cancel))!["items"]!.AsArray().Select(e => e!.AsObject())];

    private static async Task ExecuteAsync(PlatformFactory factory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "platform.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private static async Task<long> ScalarAsync(PlatformFactory factory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "platform.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = new SqliteCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    /// <summary>Records, per successful save, what it wrote: "&lt;state&gt; &lt;entity&gt; &lt;what identifies it&gt;" per row.</summary>
    private sealed class SaveRecorder : SaveChangesInterceptor
    {
        private readonly ConcurrentDictionary<DbContext, List<string>> _pending = new();

        public ConcurrentQueue<List<string>> Saved { get; } = new();

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            _pending[eventData.Context!] = [.. eventData.Context!.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                .Select(e => $"{e.State} {e.Entity.GetType().Name} {Describe(e.Entity)}")];
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (_pending.TryRemove(eventData.Context!, out var rows))
            {
                Saved.Enqueue(rows);
            }

            return ValueTask.FromResult(result);
        }

        private static string Describe(object entity) => entity switch
        {
            EnvironmentRecord e => e.Name,
            StackOperation o => $"{o.Id} {o.EnvironmentName}",
            OperationEvent e => $"{e.OperationId} {e.Message}",
            IdempotencyRecord k => k.Key,
            AuditEntry a => $"{a.Action} {a.Result} {a.Environment}",
            _ => "",
        };
    }

    /// <summary>Fails (as a bug would, not as a lost race) any save that adds the environment named.</summary>
    private sealed class ThrowOnEnvironment(string name) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            eventData.Context!.ChangeTracker.Entries<EnvironmentRecord>().Any(e => e.State == EntityState.Added && e.Entity.Name == name)
                ? throw new InvalidOperationException("A bug in the test's unit of work.")
                : ValueTask.FromResult(result);
    }

    /// <summary>
    /// Counts the pipeline's plan compilations per environment (the activity's <c>platform.environment</c> tag): each
    /// test names its environments apart, so what other tests compile meanwhile does not count.
    /// </summary>
    private sealed class CompileCounter : IDisposable
    {
        private readonly ConcurrentDictionary<string, int> _compiles = new(StringComparer.Ordinal);
        private readonly ActivityListener _listener;

        public CompileCounter()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == EnvironmentPipeline.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = activity =>
                {
                    if (activity.OperationName == EnvironmentPipeline.CompileActivity && activity.GetTagItem("platform.environment") is string name)
                    {
                        _compiles.AddOrUpdate(name, 1, (_, n) => n + 1);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public int Of(string environment) => _compiles.GetValueOrDefault(environment);

        public void Dispose() => _listener.Dispose();
    }
}
