using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Operations;

/// <summary>What an operation's outcome leaves behind: its final event, the environment's workspace, its status.</summary>
public sealed class OperationOutcomeTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>
    /// After every save, checks that no operation is finished without its final <c>state</c> event: an event stream
    /// that sees "finished" must find the outcome in its next read.
    /// </summary>
    private sealed class FinalEventWatcher : SaveChangesInterceptor
    {
        public ConcurrentBag<string> Violations { get; } = [];

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is PlatformDbContext db)
            {
                var finished = await db.Operations.AsNoTracking()
                    .Where(o => o.State == OperationState.Succeeded || o.State == OperationState.Failed || o.State == OperationState.Cancelled || o.State == OperationState.Interrupted)
                    .Select(o => new { o.Id, State = o.State.ToString() })
                    .ToListAsync(cancellationToken);
                foreach (var operation in finished)
                {
                    var detail = operation.State.ToLowerInvariant();
                    if (!await db.Events.AnyAsync(e => e.OperationId == operation.Id && e.Type == "state" && e.Detail == detail, cancellationToken))
                    {
                        Violations.Add($"{operation.Id} is {detail} without its final event");
                    }
                }
            }

            return result;
        }
    }

    [Fact]
    public async Task EveryFinishedOperation_IsSavedWithItsFinalEvent()
    {
        var watcher = new FinalEventWatcher();
        using var factory = new PlatformFactory { TestServices = services => services.ConfigureDbContext<PlatformDbContext>(options => options.AddInterceptors(watcher)) };
        var client = factory.CreateClient();

        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("final-dev")))["state"]!);
        factory.Fake.Behave("refresh", "resource-error");
        using var refresh = await client.PostAsync("/v1/environments/final-dev/refresh", null, Cancel);
        var refreshId = (string)(await PlatformFactory.ReadAsync(refresh))["id"]!;
        Assert.Equal("failed", (string)(await factory.WaitForOperationAsync(refreshId))["state"]!);

        // A queued operation cancelled by the API, behind a running one.
        factory.Fake.Behave("refresh", "hang");
        using var running = await client.PostAsync("/v1/environments/final-dev/refresh", null, Cancel);
        var runningId = (string)(await PlatformFactory.ReadAsync(running))["id"]!;
        await factory.WaitForEngineStepAsync(runningId);
        using var queued = await client.PostAsync("/v1/environments/final-dev/refresh", null, Cancel);
        var queuedId = (string)(await PlatformFactory.ReadAsync(queued))["id"]!;
        using var cancelQueued = await client.PostAsync($"/v1/operations/{queuedId}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, cancelQueued.StatusCode);
        using var cancelRunning = await client.PostAsync($"/v1/operations/{runningId}/cancel", null, Cancel);
        Assert.Equal("cancelled", (string)(await factory.WaitForOperationAsync(runningId))["state"]!);

        Assert.Empty(watcher.Violations);
        foreach (var id in new[] { refreshId, queuedId, runningId })
        {
            var events = await EngineFailureTests.EventsAsync(factory, id);
            Assert.Equal("state", (string)events[^1]["type"]!);
        }
    }

    [Fact]
    public async Task Preview_RunsInAScratchWorkspace_AndLeavesTheEnvironmentsOwnUntouched()
    {
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("scratch-dev")))["state"]!);
        var own = Path.Combine(factory.DataDirectory, "workspaces", "scratch-dev");
        var before = Directory.EnumerateFiles(own).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        const string previewOnlySecret = "preview-only-secret-42";
        var changed = Specs.Dev("scratch-dev", image: "registry.example.com/payments/api:2.0.0")
            .Replace(Specs.Secret, previewOnlySecret, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/environments/scratch-dev/preview")
        {
            Content = new StringContent(changed, System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var preview = await factory.CreateClient().SendAsync(request, Cancel);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(preview))["id"]!))["state"]!);

        // The preview ran elsewhere, and that place is gone.
        var previewCall = Assert.Single(factory.Fake.CallsOf("preview"));
        Assert.DoesNotContain($"--cwd {own} ", previewCall + " ", StringComparison.Ordinal);
        Assert.Contains(Path.Combine(factory.DataDirectory, "scratch"), previewCall, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(factory.DataDirectory, "scratch")) ? Directory.EnumerateFileSystemEntries(Path.Combine(factory.DataDirectory, "scratch")) : []);

        // The environment's program and stack config are what was deployed, so a destroy runs the deployed program.
        Assert.Equal(before, Directory.EnumerateFiles(own).ToDictionary(f => Path.GetFileName(f), File.ReadAllText));
        Assert.DoesNotContain("api:2.0.0", await File.ReadAllTextAsync(Path.Combine(own, "Pulumi.yaml"), Cancel), StringComparison.Ordinal);
        using var destroy = await factory.CreateClient().DeleteAsync("/v1/environments/scratch-dev", Cancel);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!))["state"]!);
        Assert.Contains($"--cwd {own}", Assert.Single(factory.Fake.CallsOf("destroy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APreview_RunsWhileAnotherProcessHoldsTheStackLock_AndLeavesThatLockAlone()
    {
        // The file backend never locks a stack for a preview (diyBackend.Preview, pkg/backend/diy/backend.go,
        // pulumi/pulumi): a preview neither waits for nor fails on an update another process is running.
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("locked-preview-dev")))["state"]!);
        factory.Fake.Behave("preview", "live-lock");

        using var preview = await factory.CreateClient().PostAsync("/v1/environments/locked-preview-dev/preview", null, Cancel);
        var operation = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(preview))["id"]!);

        Assert.Equal("succeeded", (string)operation["state"]!);
        Assert.Single(factory.Fake.CallsOf("preview"));
        Assert.Empty(factory.Fake.CallsOf("cancel"));
        Assert.Single(factory.Fake.Locks("locked-preview-dev"));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("locked-preview-dev"))["status"]!);
    }

    [Fact]
    public async Task ARetriedDestroy_NeverBringsTheEnvironmentBack()
    {
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("twice-dev")))["state"]!);
        factory.Fake.Behave("destroy", "slow");
        var client = factory.CreateClient();

        using var first = await client.DeleteAsync("/v1/environments/twice-dev", Cancel);
        var firstId = (string)(await PlatformFactory.ReadAsync(first))["id"]!;
        using var second = await client.DeleteAsync("/v1/environments/twice-dev", Cancel);
        Assert.True(second.IsSuccessStatusCode, await second.Content.ReadAsStringAsync(Cancel));
        var secondId = (string)(await PlatformFactory.ReadAsync(second))["id"]!;

        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync(firstId))["state"]!);
        var retried = await factory.WaitForOperationAsync(secondId);
        Assert.NotEqual("failed", (string)retried["state"]!);
        Assert.Single(factory.Fake.CallsOf("destroy"));
        var environment = await factory.GetEnvironmentAsync("twice-dev");
        Assert.Equal("destroyed", (string)environment["status"]!);

        // The name is free: a new environment of that name is created, and the old record stays destroyed.
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Specs.Dev("twice-dev")))["state"]!);
    }
}
