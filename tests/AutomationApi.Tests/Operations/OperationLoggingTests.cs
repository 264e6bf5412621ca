using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Operations;

public sealed class OperationLoggingTests
{
    // Categories that only ever log while an operation runs: the executor, the engine and its resilience pipelines.
    private static readonly string[] OperationCategories =
    [
        "Platform.AutomationApi.Operations.OperationExecutor",
        "Platform.AutomationApi.Engine.PulumiCliEngine",
        "Platform.AutomationApi.Engine.EngineResilience",
    ];

    [Fact]
    public async Task Every_log_line_of_an_operation_carries_its_operation_id_and_environment()
    {
        using var factory = new PlatformFactory();
        var created = await factory.CreateAndWaitAsync(Specs.Dev("logged-dev"));
        factory.Fake.Behave("refresh", "plugin-error-once");
        using var refreshed = await factory.CreateClient().PostAsync("/v1/environments/logged-dev/refresh", null, TestContext.Current.CancellationToken);
        var refresh = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refreshed))["id"]!);
        Assert.Equal("succeeded", (string)created["state"]!);
        Assert.Equal("succeeded", (string)refresh["state"]!);

        var operationIds = new[] { (string)created["id"]!, (string)refresh["id"]! };
        // The start-up check's engine probe (`pulumi version`) runs outside any operation.
        var lines = factory.Logs.Records.Where(r => OperationCategories.Contains(r.Category) && r.Message != "Running pulumi version").ToList();

        // The engine ran commands for both, and the retry of the plugin failure was logged by the resilience pipeline.
        Assert.Contains(lines, l => l.Category.EndsWith("PulumiCliEngine", StringComparison.Ordinal) && l.Message.StartsWith("Running pulumi up", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Category.EndsWith("EngineResilience", StringComparison.Ordinal));
        Assert.All(lines, l =>
        {
            Assert.True(l.Scopes.TryGetValue("OperationId", out var id) && operationIds.Contains(id as string), $"No operation id on: {l.Category}: {l.Message}");
            Assert.Equal("logged-dev", l.Scopes.GetValueOrDefault("Environment") as string);
        });
        foreach (var id in operationIds)
        {
            Assert.All(lines.Where(l => l.Message.Contains(id, StringComparison.Ordinal)), l => Assert.Equal(id, l.Scopes["OperationId"]));
        }
    }
}
