using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Platform.Components.Planning;
using Platform.Components.Pulumi.Tests.Testing;
using Platform.Components.Specs;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

/// <summary>A hand-built plan exercising every kind of plan value and option, materialised through the environment.</summary>
public sealed class PlanMaterializerTests
{
    private const string Provider = "k8s-provider";

    private static ResourcePlan Plan()
    {
        var builder = new PlanBuilder()
            .AddComponent("env", PlanComponent.EnvironmentType)
            .AddComponent("svc", ComponentTypes.WebService)
            .AddComponent("db", ComponentTypes.PostgresDatabase)
            .AddConfig(new PlanConfigEntry("region", "string", false, "Region.", null), new StackConfigValue("eu-west-1", false))
            .AddConfig(new PlanConfigEntry("token", "string", true, "A token.", null), new StackConfigValue("plan-token", true))
            .AddConfig(new PlanConfigEntry("replicas", "integer", false, "Replicas.", "3"))
            .AddConfig(new PlanConfigEntry("zones", "List<String>", false, "Zones.", """["a","b"]"""));
        builder.Add(Provider, "pulumi:providers:kubernetes", PlanValue.Map.Empty.With("enableServerSideApply", true), null,
            PlanResourceOptions.None with { Version = "4.34.2" });
        builder.Add("first", "kubernetes:core/v1:ConfigMap",
            PlanValue.Map.Empty.With("metadata.name", "first-map").With("data.k", "v").With("data.n", 2.5m is var n ? new PlanValue.Number(n) : null!),
            "env",
            PlanResourceOptions.WithProvider(Provider) with { Protect = true, DeleteBeforeReplace = true, AdditionalSecretOutputs = ["data"] });
        builder.Add("second", "kubernetes:core/v1:Secret",
            PlanValue.Map.Empty
                .With("metadata.name", PlanValue.Ref("first", "metadata.name"))
                .With("stringData.token", PlanValue.SecretOf(PlanValue.Config("token")))
                .With("stringData.url", PlanValue.Concat("https://", PlanValue.Ref("first", "metadata.name"), ".", PlanValue.Config("region"), ":", PlanValue.Ref("first", "port")))
                .With("stringData.policy", PlanValue.ToJson(PlanValue.From(new Dictionary<string, PlanValue>
                {
                    ["Version"] = "2012-10-17",
                    ["Resource"] = new PlanValue.List([PlanValue.Ref("first", "arn"), 1, true, PlanValue.Null]),
                })))
                .With("stringData.id", PlanValue.Ref("first", "id"))
                .With("stringData.nested", PlanValue.Ref("first", "data[\"k\"]"))
                .With("spec.replicas", PlanValue.Config("replicas"))
                .With("spec.zones", PlanValue.Config("zones"))
                .With("spec.items", new PlanValue.List([PlanValue.Ref("first", "metadata.name"), PlanValue.SecretOf("inline")])),
            "svc",
            PlanResourceOptions.WithProvider(Provider) with { DependsOn = ["first"] });
        builder.Add("db-instance", "aws:rds/instance:Instance", PlanValue.Map.Empty.With("dbName", "orders"), "db");
        builder.AddOutput("svcUrl", PlanValue.Concat("https://", PlanValue.Ref("first", "metadata.name")), "svc");
        builder.AddOutput("dbEndpoint", PlanValue.Ref("db-instance", "endpoint"), "db");
        builder.AddOutput("dbConnectionSecret", PlanValue.Ref("first", "metadata.name"), "db");
        builder.AddOutput("token", PlanValue.SecretOf(PlanValue.Config("token")), "env");
        return builder.Build("env", Tier.Dev, "default");
    }

    private static Task<(PulumiRun Run, PlatformEnvironment Environment)> RunAsync(IReadOnlyDictionary<string, string>? config = null, IReadOnlyCollection<string>? secretKeys = null) =>
        PulumiRun.EnvironmentAsync(options => new PlatformEnvironment("env", Plan(), options), config, secretKeys);

    [Fact]
    public async Task References_ConfigInterpolationAndJson_ResolveToWhatThePlanSays()
    {
        var (run, environment) = await RunAsync();
        var oracle = new PlanOracle(environment.Plan, run.Mocks.States);

        foreach (var resource in environment.Plan.Resources)
        {
            Assert.Equal(
                PlanOracle.Canonical(oracle.Evaluate(resource.Inputs)),
                PlanOracle.Canonical(PlanOracle.ToJson(run.Mocks.Registration(resource.Name).Inputs)));
        }

        var inputs = run.Mocks.Registration("second").Inputs;
        var stringData = (IReadOnlyDictionary<string, object>)inputs["stringData"];
        Assert.Equal("https://first-map.eu-west-1:5432", stringData["url"]);
        Assert.Equal("first-id", stringData["id"]);
        Assert.Equal("v", stringData["nested"]);
        Assert.Equal("plan-token", stringData["token"]);
        // JSON text keeps the plan's key order, and references inside it are resolved.
        Assert.Equal("""{"Version":"2012-10-17","Resource":["arn:aws:mock:::first",1,true,null]}""", stringData["policy"]);
        var spec = (IReadOnlyDictionary<string, object>)inputs["spec"];
        Assert.Equal(3.0, spec["replicas"]);
        Assert.Equal(["a", "b"], ((IEnumerable<object>)spec["zones"]).Cast<string>());
    }

    [Fact]
    public async Task Preview_RegistersEveryResource_WhileReferencedOutputsAreUnknown()
    {
        var (run, environment) = await PulumiRun.EnvironmentAsync(options => new PlatformEnvironment("env", Plan(), options), preview: true);

        Assert.Equal(environment.Plan.Resources.Select(r => r.Name).Order(), run.Mocks.Registrations.Where(r => !r.Type!.StartsWith("platform:", StringComparison.Ordinal)).Select(r => r.Name!).Order());
        // Plain inputs are known in a preview; the engine fills references in once the resources exist.
        Assert.Equal("first-map", ((IReadOnlyDictionary<string, object>)run.Mocks.Registration("first").Inputs["metadata"])["name"]);
    }

    [Fact]
    public async Task StackConfig_OverridesThePlansValues()
    {
        var (run, _) = await RunAsync(
            new Dictionary<string, string> { ["region"] = "us-east-1", ["token"] = "stack-token", ["replicas"] = "5" },
            ["token"]);

        var inputs = run.Mocks.Registration("second").Inputs;
        var stringData = (IReadOnlyDictionary<string, object>)inputs["stringData"];
        Assert.Equal("https://first-map.us-east-1:5432", stringData["url"]);
        Assert.Equal("stack-token", stringData["token"]);
        Assert.Equal(5.0, ((IReadOnlyDictionary<string, object>)inputs["spec"])["replicas"]);
    }

    [Fact]
    public async Task Secrets_StaySecret_InInputsAndOutputs()
    {
        var (run, environment) = await RunAsync();
        var oracle = new PlanOracle(environment.Plan, run.Mocks.States);

        var secondSecrets = await Outputs.SecretPathsAsync(environment.Inputs["second"]);
        Assert.Equal(["spec.items[1]", "stringData.token"], secondSecrets);
        Assert.Equal(oracle.SecretPaths(environment.Plan["second"].Inputs), secondSecrets);
        Assert.True(await Output.IsSecretAsync(environment.Outputs["token"]));
        Assert.False(await Output.IsSecretAsync(environment.Outputs["svcUrl"]));
    }

    [Fact]
    public async Task Options_CarryOver_DependsOnProtectDeleteBeforeReplaceSecretOutputsAndVersion()
    {
        var (run, environment) = await RunAsync();

        var first = run.CreatedAs("first").Options;
        Assert.True(first.Protect);
        Assert.True(((CustomResourceOptions)first).DeleteBeforeReplace);
        Assert.Equal(["data"], ((CustomResourceOptions)first).AdditionalSecretOutputs);
        Assert.Equal("4.34.2", first.Version);
        Assert.Same(environment.Providers[Provider], first.Provider);

        var second = run.CreatedAs("second").Options;
        Assert.Null(second.Protect);
        Assert.Null(((CustomResourceOptions)second).DeleteBeforeReplace);
        var dependsOn = await Outputs.ValueAsync(second.DependsOn.ToOutput());
        Assert.Equal([environment.Resources["first"]], dependsOn);

        // A resource without a provider in the plan gets no explicit provider and no version.
        Assert.Null(run.CreatedAs("db-instance").Options.Provider);
        Assert.Null(run.CreatedAs("db-instance").Options.Version);
    }

    [Fact]
    public async Task Components_ExposeTheirResourcesAndTypedOutputs()
    {
        var (_, environment) = await RunAsync();

        Assert.Equal(["first"], environment.Resources.Keys.Where(k => environment.Plan[k].Component == "env"));
        Assert.Equal(["second"], environment.Components["svc"].Resources.Keys);
        Assert.Equal("https://first-map", await Outputs.ValueAsync(environment.WebService("svc").Url!));
        var database = environment.PostgresDatabase("db");
        Assert.Equal("db-instance.mock.internal:5432", await Outputs.ValueAsync(database.Endpoint!));
        Assert.Equal("first-map", await Outputs.ValueAsync(database.ConnectionSecretName)); // the plan's dbConnectionSecret output
        Assert.Null(environment.WebService("svc").Outputs.GetValueOrDefault("dbEndpoint"));
    }

    [Fact]
    public async Task MissingConfig_WithNoPlanValueOrDefault_NamesTheCommandThatSetsIt()
    {
        var builder = new PlanBuilder()
            .AddComponent("env", PlanComponent.EnvironmentType)
            .AddConfig(new PlanConfigEntry("apiKey", "string", true, "The API key.", null));
        builder.Add("thing", "kubernetes:core/v1:ConfigMap", PlanValue.Map.Empty.With("data.key", PlanValue.Config("apiKey")), "env");
        var plan = builder.Build("env", Tier.Dev, "default");

        var error = await Assert.ThrowsAsync<RunException>(() => PulumiRun.EnvironmentAsync(options => new PlatformEnvironment("env", plan, options)));
        Assert.Contains("pulumi config set --secret apiKey <value>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_AreTheTypesDictionaryResourceArgsAccepts()
    {
        var converter = new PlanInputConverter(_ => throw new InvalidOperationException(), _ => throw new InvalidOperationException());
        var inputs = converter.Inputs(PlanValue.Map.Empty
            .With("text", "t").With("int", 3).With("flag", true).With("ratio", new PlanValue.Number(0.5m))
            .With("list", new PlanValue.List(["a", 1])).With("map.inner", "x").With("none", PlanValue.Null));

        Assert.Equal("t", inputs["text"]);
        Assert.Equal(3, inputs["int"]);
        Assert.Equal(true, inputs["flag"]);
        Assert.Equal(0.5, inputs["ratio"]);
        Assert.Equal(ImmutableArray.Create<object?>("a", 1), (ImmutableArray<object?>)inputs["list"]!);
        Assert.Equal("x", ((ImmutableDictionary<string, object?>)inputs["map"]!)["inner"]);
        Assert.Null(inputs["none"]);
        _ = new DictionaryResourceArgs(inputs);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("s", "s")]
    [InlineData(true, "true")]
    [InlineData(5432.0, "5432")]
    [InlineData(0.25, "0.25")]
    public void Stringify_WritesValuesAsAnInterpolationReadsThem(object? value, string expected) =>
        Assert.Equal(expected, PlanInputConverter.Stringify(value));

    [Fact]
    public void JsonTree_OfEngineMaps_SortsKeys()
    {
        var map = ImmutableDictionary<string, object>.Empty.Add("b", 1).Add("a", ImmutableArray.Create<object>("x"));
        Assert.Equal("""{"a":["x"],"b":1}""", PlanInputConverter.ToJsonNode(map)!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonValue.Create(2), PlanInputConverter.ToJsonNode(2)));
    }
}
