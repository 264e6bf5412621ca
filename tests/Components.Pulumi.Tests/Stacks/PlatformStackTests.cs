using Platform.Components.Pulumi.Tests.Testing;
using Platform.Stacks;
using Pulumi;

namespace Platform.Components.Pulumi.Tests.Stacks;

public sealed class PlatformStackTests : IDisposable
{
    private const string Spec = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-dev, team: web, costCenter: cc-42 }
        spec:
          tier: dev
          services:
            - { name: api, type: web, image: "registry.example.com/web/api:1.0.0", host: shop }
        """;

    private const string Targets = """
        targets:
          eu-staging:
            kubeContext: eks-eu-staging
            baseDomain: staging.example.com
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("platform-stack-").FullName;

    public PlatformStackTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "envs"));
        File.WriteAllText(Path.Combine(_root, "envs", "shop-dev.yaml"), Spec);
        File.WriteAllText(Path.Combine(_root, "platform.targets.yaml"), Targets);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<PulumiRun> RunAsync(Dictionary<string, string> config) =>
        PulumiRun.RunAsync(_ => PlatformStack.Create(new Config(), _root), config, rootDirectory: _root);

    [Fact]
    public async Task Stack_ProvisionsTheConfiguredSpec_AndItsOutputsAreTheEnvironments()
    {
        var run = await RunAsync(new() { [PlatformStack.SpecKey] = "./envs/shop-dev.yaml" });

        var environment = Assert.Single(run.Resources.OfType<PlatformEnvironment>());
        Assert.Equal("shop-dev", environment.GetResourceName());
        Assert.Equal(environment.Plan.Outputs.Select(o => o.Name).Order(), run.StackOutputs.Keys.Order());
        Assert.Equal(environment.Plan.Resources.Length, run.Mocks.Registrations.Count(r => !r.Type!.StartsWith("platform:", StringComparison.Ordinal)));
        var url = Assert.IsType<Output<object?>>(run.StackOutputs.Single().Value, exactMatch: false);
        Assert.Equal("https://shop.shop-dev.apps.example.internal", await Outputs.ValueAsync(url));
    }

    [Fact]
    public async Task Stack_TargetConfig_OverridesTheSpecsTarget_FromTheTargetsFile()
    {
        var run = await RunAsync(new() { [PlatformStack.SpecKey] = "envs/shop-dev.yaml", [PlatformStack.TargetKey] = "eu-staging" });

        var environment = Assert.Single(run.Resources.OfType<PlatformEnvironment>());
        Assert.Equal("eu-staging", environment.Plan.Target);
        var url = (Output<object?>)run.StackOutputs.Single().Value!;
        Assert.Equal("https://shop.shop-dev.staging.example.com", await Outputs.ValueAsync(url));
    }

    [Fact]
    public async Task Stack_UnknownTarget_NamesTheKnownOnesAndTheFix()
    {
        var error = await Assert.ThrowsAsync<RunException>(() =>
            RunAsync(new() { [PlatformStack.SpecKey] = "envs/shop-dev.yaml", [PlatformStack.TargetKey] = "mars" }));

        Assert.Contains("Target 'mars' is not defined", error.Message, StringComparison.Ordinal);
        Assert.Contains("default, eu-staging", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stack_WithoutASpec_SaysWhichConfigIsMissing()
    {
        var error = await Assert.ThrowsAsync<RunException>(() => RunAsync([]));
        Assert.Contains(PlatformStack.SpecKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stack_TargetsFileConfig_ReplacesTheDefaultFile()
    {
        File.Move(Path.Combine(_root, "platform.targets.yaml"), Path.Combine(_root, "elsewhere.yaml"));
        var run = await RunAsync(new()
        {
            [PlatformStack.SpecKey] = "envs/shop-dev.yaml",
            [PlatformStack.TargetKey] = "eu-staging",
            [PlatformStack.TargetsFileKey] = "elsewhere.yaml",
        });

        Assert.Equal("eu-staging", Assert.Single(run.Resources.OfType<PlatformEnvironment>()).Plan.Target);
    }

    [Fact]
    public async Task Stack_OnATargetLackingSettings_FailsWithTheGatesErrors()
    {
        File.WriteAllText(Path.Combine(_root, "envs", "db-dev.yaml"), Spec.Replace("shop-dev", "db-dev", StringComparison.Ordinal) + "\n  resources:\n    - { name: db, type: postgres }\n");

        var error = await Assert.ThrowsAsync<RunException>(() =>
            RunAsync(new() { [PlatformStack.SpecKey] = "envs/db-dev.yaml", [PlatformStack.TargetKey] = "eu-staging" }));

        Assert.True(error.Message.Contains("Deployment target 'eu-staging' lacks settings this environment needs: vpcId, privateSubnetIds, clusterSecurityGroupId.", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task Stack_PoliciesFileConfig_IsRead_AndAMissingOneIsAnError()
    {
        var error = await Assert.ThrowsAsync<RunException>(() =>
            RunAsync(new() { [PlatformStack.SpecKey] = "envs/shop-dev.yaml", [PlatformStack.PoliciesFileKey] = "nowhere.yaml" }));
        Assert.Contains("nowhere.yaml does not exist", error.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_root, "strict.yaml"), "disabledAdvisoryRules:\n  dev: [nonsense-rule]\n");
        var invalid = await Assert.ThrowsAsync<RunException>(() =>
            RunAsync(new() { [PlatformStack.SpecKey] = "envs/shop-dev.yaml", [PlatformStack.PoliciesFileKey] = "strict.yaml" }));
        Assert.Contains("nonsense-rule", invalid.Message, StringComparison.Ordinal);
    }
}
