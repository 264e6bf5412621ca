using System.Net;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Lifecycle;

/// <summary>
/// A destroy never half-runs: the engine deletes every unprotected resource before it refuses a protected one (the
/// stand-in does the same), so protection is checked in the stack's state first, and only an explicit, recorded
/// override unprotects.
/// </summary>
public sealed class ProtectedDestroyTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string ProdWithDatabase = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-prod, team: payments, costCenter: cc-1234 }
        spec:
          tier: prod
          target: default
          services:
            - name: api
              type: web
              image: registry.example.com/payments/api:1.0.0
              port: 8080
              uses: [orders-db]
          resources:
            - { name: orders-db, type: postgres }
        """;

    private static async Task<PlatformFactory> DeployedProdAsync()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, Specs.CompleteTargets, Cancel);
        var factory = new PlatformFactory(configure: s => s["Platform:TargetsFile"] = targets);
        var created = await factory.CreateAndWaitAsync(ProdWithDatabase);
        Assert.True((string)created["state"]! == "succeeded", created.ToJsonString());
        return factory;
    }

    [Fact]
    public async Task Destroy_OfAStackWithProtectedResources_IsRefusedBeforeAnythingIsDeleted()
    {
        using var factory = await DeployedProdAsync();
        var before = factory.Fake.Checkpoint("shop-prod");
        var protectedLine = Assert.Single(before, l => l.EndsWith("|true", StringComparison.Ordinal));
        Assert.Contains("aws:rds/instance:Instance", protectedLine, StringComparison.Ordinal);

        using var destroy = await factory.CreateClient().DeleteAsync("/v1/environments/shop-prod", Cancel);
        var operation = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("protected-resources", (string)operation["error"]!["code"]!);
        var message = (string)operation["error"]!["message"]!;
        Assert.Contains("(aws:rds/instance:Instance)", message, StringComparison.Ordinal);
        Assert.Contains("run 'platform env destroy shop-prod --force' (DELETE with ?force=true)", message, StringComparison.Ordinal);
        Assert.Empty(factory.Fake.CallsOf("destroy"));
        Assert.Equal(before, factory.Fake.Checkpoint("shop-prod"));
        Assert.Equal("ready", (string)(await factory.GetEnvironmentAsync("shop-prod"))["status"]!);
    }

    [Theory]
    // The database was unprotected and replaced in one update, and the old copy's delete failed: the checkpoint keeps
    // the old copy, still protected, as pending deletion (delete: true) beside the live, now unprotected, one. The
    // engine deletes it with a replacement step, which does not check protect.
    [InlineData("delete", "delete-replaced")]
    // A delete-before-replace deleted the protected database and failed to create its replacement: the checkpoint
    // keeps it, protected, as pendingReplacement. The engine drops it with a step that deletes nothing (and that the
    // service does not show, as the CLI does not).
    [InlineData("pendingReplacement", null)]
    public async Task Destroy_IsNotRefusedForAProtectedResourceLeftPendingByAReplacement(string pending, string? step)
    {
        // GenerateDeletes in pkg/resource/deploy/step_generator.go; DeleteStep.Apply, RemovePendingReplaceStep in
        // step.go (pulumi/pulumi).
        using var factory = await DeployedProdAsync();
        var state = Path.Combine(factory.Fake.StateDirectory, "stacks", "shop-prod", "state");
        var lines = (await File.ReadAllLinesAsync(state, Cancel)).ToList();
        var database = lines.FindIndex(l => l.EndsWith("|true", StringComparison.Ordinal));
        if (pending == "delete")
        {
            lines.Insert(database, lines[database] + "|delete");
            lines[database + 1] = lines[database + 1][..^"true".Length] + "false";
        }
        else
        {
            lines[database] += "|pendingReplacement";
        }

        await File.WriteAllLinesAsync(state, lines, Cancel);

        using var destroy = await factory.CreateClient().DeleteAsync("/v1/environments/shop-prod", Cancel);
        var operation = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);

        Assert.True((string)operation["state"]! == "succeeded", operation.ToJsonString());
        var events = await EngineFailureTests.EventsAsync(factory, (string)operation["id"]!);
        // In reverse order of the checkpoint: the live database, then its old copy.
        var deletes = events.Where(e => ((string?)e["urn"])?.Contains("aws:rds/instance:Instance", StringComparison.Ordinal) == true &&
            (string)e["type"]! == "step-done").Select(e => (string?)e["detail"]).ToList();
        Assert.Equal(step is null ? [] : ["delete", step], deletes);
        Assert.Empty(factory.Fake.CallsOf("state"));
        Assert.Empty(factory.Fake.Checkpoint("shop-prod"));
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("shop-prod"))["status"]!);
    }

    [Fact]
    public async Task ForcedDestroy_UnprotectsFirst_RecordsIt_AndDestroysEverything()
    {
        using var factory = await DeployedProdAsync();
        var resources = factory.Fake.Checkpoint("shop-prod").Count;

        using var destroy = await factory.CreateClient().DeleteAsync("/v1/environments/shop-prod?force=true", Cancel);
        Assert.Equal(HttpStatusCode.Accepted, destroy.StatusCode);
        var operation = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(destroy))["id"]!);

        Assert.True((string)operation["state"]! == "succeeded", operation.ToJsonString());
        Assert.True((bool)operation["force"]!);
        var calls = factory.Fake.Calls.Select(c => string.Join(' ', c.Split(' ').Take(2))).ToList();
        Assert.True(calls.IndexOf("state unprotect") is var unprotect && unprotect >= 0 && unprotect < calls.FindIndex(c => c.StartsWith("destroy", StringComparison.Ordinal)));
        var events = await EngineFailureTests.EventsAsync(factory, (string)operation["id"]!);
        var audit = Assert.Single(events, e => (string)e["type"]! == "audit");
        Assert.Contains("aws:rds/instance:Instance", (string)audit["message"]!, StringComparison.Ordinal);
        Assert.Equal(resources, events.Count(e => (string)e["type"]! == "step-done" && (string?)e["detail"] == "delete"));
        Assert.Empty(factory.Fake.Checkpoint("shop-prod"));
        Assert.Equal("destroyed", (string)(await factory.GetEnvironmentAsync("shop-prod"))["status"]!);
    }
}
