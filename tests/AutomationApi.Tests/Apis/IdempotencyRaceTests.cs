using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>Issue 11: retries and repeats answer with the original operation, whatever the interleaving.</summary>
public sealed class IdempotencyRaceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Before the fix some retries got 409 "name taken": they looked for the key before the first create committed,
    // then for the name after. The barrier makes that interleaving the rule: every retry has looked its key up (and
    // found nothing) before any of them goes on.
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Twenty_simultaneous_retries_of_one_create_all_get_the_original_operation(string store)
    {
        const int Retries = 20;
        await using var database = await TestStore.CreateAsync(store);
        var barrier = new KeyLookupBarrier(Retries);
        using var factory = new PlatformFactory(store: database, services: s => s.AddSingleton<IInterceptor>(barrier));
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

    // Before the fix a plain retry of a DELETE queued a second destroy behind the first.
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Repeating_a_destroy_returns_the_running_one_then_the_one_that_destroyed_it(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("again-dev")))["state"]!);
        factory.Fake.Behave("destroy", "slow");

        using var first = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        var destroy = (string)(await PlatformFactory.ReadAsync(first))["id"]!;
        await factory.WaitForEngineStepAsync(destroy);
        using var retry = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        using var keyed = new HttpRequestMessage(HttpMethod.Delete, "/v1/environments/again-dev") { Headers = { { "Idempotency-Key", "other-key" } } };
        using var retryWithKey = await client.SendAsync(keyed, Cancel);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(retry))["id"]!);
        Assert.Equal(HttpStatusCode.Accepted, retryWithKey.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(retryWithKey))["id"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroy))["state"]!);

        using var afterwards = await client.DeleteAsync("/v1/environments/again-dev", Cancel);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(afterwards))["id"]!);
        var environment = await factory.GetEnvironmentAsync("again-dev");
        Assert.Equal("destroyed", (string)environment["status"]!);
        Assert.Equal(destroy, (string)environment["lastOperation"]!["id"]!);
        Assert.Single(factory.Fake.CallsOf("destroy"));
    }

    /// <summary>Holds every idempotency-key lookup until <paramref name="participants"/> have run (or 30 s passed).</summary>
    private sealed class KeyLookupBarrier(int participants) : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public bool Released { get; private set; }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("IdempotencyKeys", StringComparison.Ordinal) && !_all.Task.IsCompleted)
            {
                if (Interlocked.Increment(ref _arrived) >= participants)
                {
                    Released = true;
                    _all.TrySetResult();
                }

                await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromSeconds(30), cancellationToken));
            }

            return result;
        }
    }
}
