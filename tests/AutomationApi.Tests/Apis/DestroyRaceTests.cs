using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>A repeated DELETE whose environment's destroy finishes while the request is reading it.</summary>
public sealed class DestroyRaceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // Seen once in CI (IdempotencyRaceTests): the request read the environment while it was destroying, the destroy
    // finished, the request then found no pending destroy and answered 409. The hold makes that interleaving certain.
    [Fact]
    public async Task A_destroy_that_finishes_while_a_repeated_delete_reads_the_environment_is_the_answer()
    {
        await using var database = await TestStore.CreateAsync(TestStore.Sqlite);
        var hold = new HoldAfterEnvironmentRead();
        using var factory = new PlatformFactory(store: database)
        {
            TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(hold)),
        };
        factory.Server.PreserveExecutionContext = true; // the hold applies to the request this test sends, not the worker
        var client = factory.CreateClient();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("race-dev")))["state"]!);
        // Held, not slow: a destroy that ran on after its first step could finish, and its event log be deleted,
        // before the wait below read the step (seen once in a loaded run, 2026-12-03).
        factory.Fake.Behave("destroy", "held");
        using var first = await client.DeleteAsync("/v1/environments/race-dev", Cancel);
        var destroy = (string)(await PlatformFactory.ReadAsync(first))["id"]!;
        await factory.WaitForEngineStepAsync(destroy); // running, its first delete held until FinishInFlight

        HoldAfterEnvironmentRead.Armed.Value = true;
        var repeated = client.DeleteAsync("/v1/environments/race-dev", Cancel);
        HoldAfterEnvironmentRead.Armed.Value = false;
        try
        {
            await hold.Reached.Task.WaitAsync(TimeSpan.FromMinutes(2), Cancel); // the armed request has read the environment
        }
        finally
        {
            // Also when the wait fails: a held delete ignores interrupts, and the factory's shutdown would wait for it.
            factory.Fake.FinishInFlight("race-dev");
        }

        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(destroy))["state"]!);
        hold.Release.TrySetResult();
        using var response = await repeated;

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancel)}");
        Assert.Equal(destroy, (string)(await PlatformFactory.ReadAsync(response))["id"]!);
        Assert.Single(factory.Fake.CallsOf("destroy"));
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("race-dev"))["status"]!);
    }

    /// <summary>In the armed request only: once the environment has been read, its next query waits for the test.</summary>
    private sealed class HoldAfterEnvironmentRead : DbCommandInterceptor
    {
        public static readonly AsyncLocal<bool> Armed = new();

        private int _environmentReads;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (!Armed.Value)
            {
                return result;
            }

            if (command.CommandText.Contains("FROM \"Environments\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _environmentReads);
            }
            else if (Volatile.Read(ref _environmentReads) == 1 && Reached.TrySetResult())
            {
                await Release.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            }

            return result;
        }
    }
}
