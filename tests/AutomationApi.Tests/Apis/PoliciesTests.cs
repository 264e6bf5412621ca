using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class PoliciesTests
{
    private static string DevWithBucket(string name) => Specs.Dev(name) + "\n  resources:\n    - { name: files, type: bucket }\n";

    [Fact]
    public async Task AdvisoryViolations_AreReportedInThePlan_PerThePolicySettingsFile()
    {
        using (var defaults = new PlatformFactory(engine: new InMemoryStackEngine()))
        {
            var created = await defaults.CreateAndWaitAsync(DevWithBucket("bucket-dev"));
            Assert.Equal("succeeded", (string)created["state"]!);
            var warnings = (await defaults.GetEnvironmentAsync("bucket-dev"))["plan"]!["policyWarnings"]!.AsArray().Select(w => (string)w!);
            Assert.DoesNotContain(warnings, w => w.Contains("PLT009", StringComparison.Ordinal));
        }

        var policies = Path.Combine(Path.GetTempPath(), $"policies-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(policies, "disabledAdvisoryRules:\n  dev: []\n", TestContext.Current.CancellationToken);
        using var strict = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["PLATFORM_POLICIES"] = policies);
        Assert.Equal("succeeded", (string)(await strict.CreateAndWaitAsync(DevWithBucket("bucket-dev")))["state"]!);
        var strictWarnings = (await strict.GetEnvironmentAsync("bucket-dev"))["plan"]!["policyWarnings"]!.AsArray().Select(w => (string)w!);
        Assert.Contains(strictWarnings, w => w.Contains("PLT009", StringComparison.Ordinal));
    }
}
