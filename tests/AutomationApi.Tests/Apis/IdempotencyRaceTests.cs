using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>Issue 11: retries and repeats answer with the original operation, whatever the interleaving.</summary>
public sealed class IdempotencyRaceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Before the fix some retries got 409 "name taken": they looked for the key before the first create committed,
    // then for the name after. The choreography makes that interleaving the rule for all but one of them.
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Twenty_simultaneous_retries_of_one_create_all_get_the_original_operation(string store)
    {
        const int Retries = 20;
        await using var database = await TestStore.CreateAsync(store);
        var barrier = new RaceChoreography(Retries);
        using var factory = new PlatformFactory(store: database)
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(barrier)),
        };
        var client = factory.CreateClient();
        using var warmUp = await client.GetAsync("/readyz", Cancel);

        var responses = await Task.WhenAll(Enumerable.Range(0, Retries).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments")
            {
                Content = new StringContent(Specs.Dev("race-dev"), System.Text.Encoding.UTF8, "application/yaml"),
                Headers = { { "Idempotency-Key", "retry-1" } },
            };
            using var response = await client.SendAsync(request, Cancel);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(Cancel));
        }));

        Assert.True(barrier.Released, "every retry looked its key up before any went on");
        Assert.All(responses, r => Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"{r.StatusCode}: {r.Body}"));
        var ids = responses.Select(r => (string)System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["id"]!).Distinct().ToList();
        var id = Assert.Single(ids);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(id))["state"]!);
        Assert.Single(factory.Fake.CallsOf("up"));
    }

    // Before the fix a plain retry of a DELETE queued a second destroy behind the first. The stand-in holds the destroy's
    // first delete until the test lets it finish, so the repeats certainly arrive while it runs (a destroy that merely
    // took 2 s had, on a loaded machine, finished by the time they came, and they were answered 200).
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Repeating_a_destroy_returns_the_running_one_then_the_one_that_destroyed_it(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("again-dev")))["state"]!);
        factory.Fake.Behave("destroy", "held");

        using var first = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        var destroy = (string)(await PlatformFactory.ReadAsync(first))["id"]!;
        await factory.WaitForEngineStepAsync(destroy); // running, its first delete held until FinishInFlight
        using var retry = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        using var keyed = new HttpRequestMessage(HttpMethod.Delete, "/v1/environments/again-dev") { Headers = { { "Idempotency-Key", "other-key" } } };
        using var retryWithKey = await client.SendAsync(keyed, Cancel);
        Assert.Equal("running", (string)(await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/v1/operations/{destroy}", Cancel))!["state"]!);
        factory.Fake.FinishInFlight("again-dev");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(retry))["id"]!);
        Assert.Equal(HttpStatusCode.Accepted, retryWithKey.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(retryWithKey))["id"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroy))["state"]!);

        using var afterwards = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(afterwards))["id"]!);
        using var keyedAgain = new HttpRequestMessage(HttpMethod.Delete, "/v1/environments/again-dev") { Headers = { { "Idempotency-Key", "other-key" } } };
        using var replayed = await client.SendAsync(keyedAgain, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, replayed.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(replayed))["id"]!);
        var environment = await factory.GetEnvironmentAsync("again-dev");
        Assert.Equal("destroyed", (string)environment["status"]!);
        Assert.Equal(destroy, (string)environment["lastOperation"]!["id"]!);
        Assert.Single(factory.Fake.CallsOf("destroy"));
    }

    /// <summary>
    /// Forces the interleaving that lost retries before the fix: every idempotency-key lookup is held until all
    /// <paramref name="participants"/> have run (each found no key), and every name check but the first is held until
    /// a save has committed (so the others see the first one's environment). Each hold gives up after 30 s.
    /// </summary>
    private sealed class RaceChoreography(int participants) : DbCommandInterceptor, ISaveChangesInterceptor
    {
        private readonly TaskCompletionSource _allLookedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _saved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lookups;
        private int _nameChecks;

        public bool Released { get; private set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            var text = command.CommandText;
            if (text.Contains("EXISTS", StringComparison.OrdinalIgnoreCase) && text.Contains("\"Environments\"", StringComparison.Ordinal) &&
                Interlocked.Increment(ref _nameChecks) > 1)
            {
                await Task.WhenAny(_saved.Task, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
            }

            return result;
        }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM \"IdempotencyKeys\"", StringComparison.Ordinal) && !_allLookedUp.Task.IsCompleted)
            {
                if (Interlocked.Increment(ref _lookups) >= participants)
                {
                    Released = true;
                    _allLookedUp.TrySetResult();
                }

                await Task.WhenAny(_allLookedUp.Task, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
            }

            return result;
        }

        public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            _saved.TrySetResult();
            return ValueTask.FromResult(result);
        }
    }
}
