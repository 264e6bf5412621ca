using Platform.Components.Planning;
using Platform.Components.Pulumi.Tests.Testing;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

public sealed class PlatformEnvironmentTests
{
    private static Task<(PulumiRun Run, PlatformEnvironment Environment)> RunAsync(string environment) =>
        PulumiRun.EnvironmentAsync(options => new PlatformEnvironment(environment, BindingSpecs.Args(environment), options));

    private static Task<(PulumiRun Run, PlatformEnvironment Environment)> ShopDevAsync() => RunAsync("shop-dev");

    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Environment_RegistersEveryPlanResource_WithThePlansTypeNameAndInputs(string name)
    {
        var (run, environment) = await RunAsync(name);
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

    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Environment_CreatesOneComponentPerPlanComponent_AndParentsEachResourceToItsComponent(string name)
    {
        var (run, environment) = await RunAsync(name);
        var plan = environment.Plan;

        Assert.Equal(ComponentTypes.Environment, environment.GetResourceType());
        var children = plan.Components.Where(c => c.Type != PlanComponent.EnvironmentType).ToList();
        Assert.Equal(children.Select(c => (c.Name, c.Type)).Order(), environment.Components.Select(c => (c.Key, c.Value.GetResourceType())).Order());
        Assert.All(children, c => Assert.Same(environment, run.CreatedAs(c.Name).Options.Parent));
        Assert.All(environment.Components.Values, c => Assert.Equal(c.GetResourceType() switch
        {
            ComponentTypes.WebService => typeof(WebService),
            ComponentTypes.Worker => typeof(Worker),
            ComponentTypes.CronJob => typeof(CronJob),
            ComponentTypes.PostgresDatabase => typeof(PostgresDatabase),
            ComponentTypes.Bucket => typeof(Bucket),
            ComponentTypes.Queue => typeof(Queue),
            var other => throw new InvalidOperationException($"The plan has a component type the binding has no class for: {other}."),
        }, c.GetType()));

        foreach (var resource in plan.Resources)
        {
            Resource expectedParent = resource.Component is { } c && environment.Components.TryGetValue(c, out var component) ? component : environment;
            Assert.True(ReferenceEquals(expectedParent, run.CreatedAs(resource.Name).Options.Parent), $"{resource.Name} should be a child of {expectedParent.GetResourceName()}");
        }
    }

    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Environment_UsesThePlansProviders_PinnedToThePlansVersions(string name)
    {
        var (run, environment) = await RunAsync(name);
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

    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Environment_KeepsSecretInputsSecret_WhereThePlanMarksThem(string name)
    {
        var (run, environment) = await RunAsync(name);
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

    [Theory]
    [InlineData("shop-dev", "kubernetes", LogicalNames.KubernetesProvider)]
    [InlineData("checkout-staging", "aws", LogicalNames.AwsProvider)]
    public async Task Environment_HonoursExplicitProviders_AndCreatesNoneOfItsOwnForThatPackage(string name, string package, string planProvider)
    {
        ProviderResource? userProvider = null;
        var (run, environment) = await PulumiRun.EnvironmentAsync(options =>
        {
            userProvider = new ProviderResource(package, "team-provider", new DictionaryResourceArgs([]), new CustomResourceOptions { Version = "1.2.3" });
            options.Providers.Add(userProvider);
            return new PlatformEnvironment(name, BindingSpecs.Args(name), options);
        });

        Assert.DoesNotContain(run.Mocks.Registrations, r => r.Name == planProvider);
        Assert.Same(userProvider, environment.Providers[planProvider]);
        var userUrn = await Outputs.ValueAsync(userProvider!.Urn);
        var served = environment.Plan.Resources.Where(r => r.Options.Provider == planProvider).ToList();
        Assert.NotEmpty(served);
        Assert.All(served, r =>
        {
            Assert.StartsWith($"{userUrn}::", run.Mocks.Registration(r.Name).Provider, StringComparison.Ordinal);
            Assert.Null(run.CreatedAs(r.Name).Options.Version);
        });

        // Providers of other packages are still the plan's own.
        Assert.All(environment.Plan.Resources.Where(r => r.IsProvider && r.Name != planProvider), p => Assert.Single(run.Mocks.Registrations, r => r.Name == p.Name));
    }

    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Environment_RegistersThePlansOutputs_OnTheEnvironmentAndOnEachComponent(string name)
    {
        var (run, environment) = await RunAsync(name);
        var plan = environment.Plan;
        var oracle = new PlanOracle(plan, run.Mocks.States);

        Assert.NotEmpty(plan.Outputs);
        Assert.Equal(plan.Outputs.Select(o => o.Name).Order(), run.StackOutputs.Keys.Order());
        var environmentUrn = await Outputs.ValueAsync(environment.Urn);
        Assert.Equal(plan.Outputs.Select(o => o.Name).Order(), run.Mocks.RegisteredOutputs[environmentUrn].Keys.Order());
        foreach (var output in plan.Outputs)
        {
            var expected = oracle.Evaluate(output.Value);
            Assert.NotNull(expected);
            Assert.Equal(PlanOracle.Canonical(expected), PlanOracle.Canonical(PlanOracle.ToJson(await Outputs.ValueAsync(environment.Outputs[output.Name]))));
        }

        foreach (var (componentName, component) in environment.Components)
        {
            var urn = await Outputs.ValueAsync(component.Urn);
            Assert.Equal(plan.Outputs.Where(o => o.Component == componentName).Select(o => o.Name).Order(), run.Mocks.RegisteredOutputs[urn].Keys.Order());
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
