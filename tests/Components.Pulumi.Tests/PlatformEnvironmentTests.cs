using Platform.Components.Planning;
using Platform.Components.Pulumi.Tests.Testing;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

public sealed class PlatformEnvironmentTests
{
    private static Task<(PulumiRun Run, PlatformEnvironment Environment)> ShopDevAsync() =>
        PulumiRun.EnvironmentAsync(options => new PlatformEnvironment("shop", new PlatformEnvironmentArgs { Spec = BindingSpecs.ShopDev() }, options));

    [Fact]
    public async Task Environment_RegistersEveryPlanResource_WithThePlansTypeNameAndInputs()
    {
        var (run, environment) = await ShopDevAsync();
        var plan = environment.Plan;
        var oracle = new PlanOracle(plan, run.Mocks.States);

        var registered = run.Mocks.Registrations.Where(r => !r.Type!.StartsWith("platform:", StringComparison.Ordinal)).ToList();
        Assert.Equal(plan.Resources.Select(r => (r.Name, r.Type)).Order(), registered.Select(r => (r.Name!, r.Type!)).Order());
        foreach (var resource in plan.Resources)
        {
            var expected = PlanOracle.Canonical(oracle.Evaluate(resource.Inputs));
            var actual = PlanOracle.Canonical(PlanOracle.ToJson(run.Mocks.Registration(resource.Name).Inputs));
            Assert.True(expected == actual, $"{resource.Name}:\nplan:       {expected}\nregistered: {actual}");
        }
    }

    [Fact]
    public async Task Environment_CreatesOneComponentPerPlanComponent_AndParentsEachResourceToItsComponent()
    {
        var (run, environment) = await ShopDevAsync();
        var plan = environment.Plan;

        Assert.Equal(ComponentTypes.Environment, environment.GetResourceType());
        var children = plan.Components.Where(c => c.Type != PlanComponent.EnvironmentType).ToList();
        Assert.Equal(children.Select(c => (c.Name, c.Type)).Order(), environment.Components.Select(c => (c.Key, c.Value.GetResourceType())).Order());
        Assert.All(children, c => Assert.Same(environment, run.CreatedAs(c.Name).Options.Parent));
        Assert.IsType<WebService>(environment.Components["api"]);
        Assert.IsType<Worker>(environment.Components["jobs"]);
        Assert.IsType<CronJob>(environment.Components["nightly"]);

        foreach (var resource in plan.Resources)
        {
            Resource expectedParent = resource.Component is { } c && environment.Components.TryGetValue(c, out var component) ? component : environment;
            Assert.True(ReferenceEquals(expectedParent, run.CreatedAs(resource.Name).Options.Parent), $"{resource.Name} should be a child of {expectedParent.GetResourceName()}");
        }
    }

    [Fact]
    public async Task Environment_UsesThePlansProviders_PinnedToThePlansVersions()
    {
        var (run, environment) = await ShopDevAsync();
        var plan = environment.Plan;

        foreach (var provider in plan.Resources.Where(r => r.IsProvider))
        {
            Assert.NotNull(provider.Options.Version);
            Assert.Equal(provider.Options.Version, run.CreatedAs(provider.Name).Options.Version);
            Assert.Equal(provider.Type, run.Mocks.Registration(provider.Name).Type);
        }

        foreach (var resource in plan.Resources.Where(r => r.Options.Provider is not null))
        {
            var providerUrn = await Outputs.ValueAsync(environment.Providers[resource.Options.Provider!].Urn);
            Assert.StartsWith($"{providerUrn}::", run.Mocks.Registration(resource.Name).Provider, StringComparison.Ordinal);
            Assert.Equal(plan[resource.Options.Provider!].Options.Version, run.CreatedAs(resource.Name).Options.Version);
        }
    }

    [Fact]
    public async Task Environment_KeepsSecretInputsSecret_WhereThePlanMarksThem()
    {
        var (run, environment) = await ShopDevAsync();
        var plan = environment.Plan;
        var oracle = new PlanOracle(plan, run.Mocks.States);

        var secretInputs = 0;
        foreach (var resource in plan.Resources)
        {
            var expected = oracle.SecretPaths(resource.Inputs);
            Assert.Equal(expected, await Outputs.SecretPathsAsync(environment.Inputs[resource.Name]));
            secretInputs += expected.Count;
        }

        Assert.True(secretInputs > 0, "The spec has a secret env value; some input must be secret.");
        foreach (var output in plan.Outputs)
        {
            Assert.Equal(oracle.SecretPaths(output.Value).Count > 0, await Output.IsSecretAsync(environment.Outputs[output.Name]));
        }
    }

    [Fact]
    public async Task Environment_HonoursExplicitProviders_AndCreatesNoneOfItsOwnForThatPackage()
    {
        ProviderResource? userProvider = null;
        var (run, environment) = await PulumiRun.EnvironmentAsync(options =>
        {
            userProvider = new ProviderResource("kubernetes", "team-cluster", new DictionaryResourceArgs([]), new CustomResourceOptions { Version = "4.18.0" });
            options.Providers.Add(userProvider);
            return new PlatformEnvironment("shop", new PlatformEnvironmentArgs { Spec = BindingSpecs.ShopDev() }, options);
        });

        Assert.DoesNotContain(run.Mocks.Registrations, r => r.Name == LogicalNames.KubernetesProvider);
        Assert.Same(userProvider, environment.Providers[LogicalNames.KubernetesProvider]);
        var userUrn = await Outputs.ValueAsync(userProvider!.Urn);
        var kubernetesResources = environment.Plan.Resources.Where(r => r.Options.Provider == LogicalNames.KubernetesProvider).ToList();
        Assert.NotEmpty(kubernetesResources);
        Assert.All(kubernetesResources, r =>
        {
            Assert.StartsWith($"{userUrn}::", run.Mocks.Registration(r.Name).Provider, StringComparison.Ordinal);
            Assert.Null(run.CreatedAs(r.Name).Options.Version);
        });
    }

    [Fact]
    public async Task Environment_RegistersThePlansOutputs_OnTheEnvironmentAndOnEachComponent()
    {
        var (run, environment) = await ShopDevAsync();
        var plan = environment.Plan;
        var oracle = new PlanOracle(plan, run.Mocks.States);

        Assert.NotEmpty(plan.Outputs);
        Assert.Equal(plan.Outputs.Select(o => o.Name).Order(), run.StackOutputs.Keys.Order());
        var environmentUrn = await Outputs.ValueAsync(environment.Urn);
        Assert.Equal(plan.Outputs.Select(o => o.Name).Order(), run.Mocks.RegisteredOutputs[environmentUrn].Keys.Order());
        foreach (var output in plan.Outputs)
        {
            Assert.Equal(PlanOracle.Canonical(oracle.Evaluate(output.Value)), PlanOracle.Canonical(PlanOracle.ToJson(await Outputs.ValueAsync(environment.Outputs[output.Name]))));
        }

        foreach (var (name, component) in environment.Components)
        {
            var urn = await Outputs.ValueAsync(component.Urn);
            Assert.Equal(plan.Outputs.Where(o => o.Component == name).Select(o => o.Name).Order(), run.Mocks.RegisteredOutputs[urn].Keys.Order());
        }

        var url = plan.Outputs.Single(o => o.Component == "api" && o.Name.EndsWith("Url", StringComparison.Ordinal));
        Assert.Equal(oracle.Evaluate(url.Value)!.GetValue<string>(), await Outputs.ValueAsync(environment.WebService("api").Url!));
    }

    [Fact]
    public async Task Component_ForAMissingName_SaysWhichEnvironmentLacksIt()
    {
        // The test deployment reports a program's exception as a RunException carrying the original message.
        var error = await Assert.ThrowsAsync<RunException>(() => PulumiRun.EnvironmentAsync(options =>
        {
            var environment = new PlatformEnvironment("shop", new PlatformEnvironmentArgs { Spec = BindingSpecs.ShopDev() }, options);
            _ = environment.WebService("jobs");
            return environment;
        }));
        Assert.Contains("KeyNotFoundException: Environment 'shop-dev' has no WebService named 'jobs'.", error.Message, StringComparison.Ordinal);
    }
}
