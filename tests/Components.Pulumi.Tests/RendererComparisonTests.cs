using Platform.Components.Planning;
using Platform.Components.Pulumi.Tests.Testing;
using Platform.Components.Rendering;
using Pulumi;

namespace Platform.Components.Pulumi.Tests;

/// <summary>
/// The two back-ends of one plan, resource by resource: the Pulumi YAML program the renderer writes, read back and
/// evaluated as the YAML runtime would, against what the .NET binding registers with Pulumi's engine (mocked).
/// </summary>
public sealed class RendererComparisonTests
{
    [Theory]
    [MemberData(nameof(BindingSpecs.Environments), MemberType = typeof(BindingSpecs))]
    public async Task Binding_RegistersExactlyWhatTheYamlProgramDeclares(string name)
    {
        var (run, environment) = await PulumiRun.EnvironmentAsync(options => new PlatformEnvironment(name, BindingSpecs.Args(name), options));
        var plan = environment.Plan;
        var rendered = PulumiYamlRenderer.Render(plan);
        var program = YamlProgram.Parse(rendered.Program);
        var written = rendered.StackSettings is { } settings ? (System.Text.Json.Nodes.JsonObject)Documents.YamlJson.Parse(settings)!["config"]! : [];

        // The text the CLI hands the program: what the renderer wrote to the stack file, and each secret as the
        // Automation API sets it.
        string? StackConfig(string key) =>
            written[$"{rendered.ProjectName}:{key}"]?.GetValue<string>() ??
            (plan.StackConfig.TryGetValue(key, out var value) && value.Secret ? PulumiYamlConfig.StackValue(value.Value) : null);

        var registered = run.Mocks.Registrations.Where(r => !r.Type!.StartsWith("platform:", StringComparison.Ordinal)).ToList();
        Assert.Equal(program.Resources.Keys.Order(StringComparer.Ordinal), registered.Select(r => r.Name!).Order(StringComparer.Ordinal));

        foreach (var yaml in program.Resources.Values)
        {
            var registration = run.Mocks.Registration(yaml.Name);
            var created = run.CreatedAs(yaml.Name);
            var because = $"resource '{yaml.Name}'";

            Assert.True(yaml.Type == registration.Type, $"{because}: type {yaml.Type} vs {registration.Type}");

            var (inputs, secrets) = program.Evaluate(yaml.Properties, run.Mocks.States, StackConfig);
            var expected = PlanOracle.Canonical(inputs);
            var actual = PlanOracle.Canonical(PlanOracle.ToJson(registration.Inputs));
            Assert.True(expected == actual, $"{because}:\nYAML:    {expected}\nbinding: {actual}");
            Assert.Equal(secrets, await Outputs.SecretPathsAsync(environment.Inputs[yaml.Name]));

            if (YamlProgram.ReferencedName(yaml.Options["provider"]) is { } provider)
            {
                var providerUrn = await Outputs.ValueAsync(environment.Providers[provider].Urn);
                Assert.StartsWith($"{providerUrn}::", registration.Provider, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(created.Options.Provider);
            }

            if (yaml.Options["version"] is { } version)
            {
                Assert.Equal(version.GetValue<string>(), created.Options.Version);
            }

            Assert.Equal(yaml.Options["protect"]?.GetValue<bool>() == true, created.Options.Protect == true);
            Assert.Equal(yaml.Options["deleteBeforeReplace"]?.GetValue<bool>() == true, ((CustomResourceOptions)created.Options).DeleteBeforeReplace == true);
            Assert.Equal(
                yaml.Options["additionalSecretOutputs"]?.AsArray().Select(o => o!.GetValue<string>()) ?? [],
                ((CustomResourceOptions)created.Options).AdditionalSecretOutputs);
            Assert.Equal(
                yaml.Options["ignoreChanges"]?.AsArray().Select(o => o!.GetValue<string>()) ?? [],
                created.Options.IgnoreChanges);
            var dependsOn = await Outputs.ValueAsync(created.Options.DependsOn.ToOutput());
            Assert.Equal(
                (yaml.Options["dependsOn"]?.AsArray().Select(d => YamlProgram.ReferencedName(d)!) ?? []).Order(StringComparer.Ordinal),
                dependsOn.Select(d => d.GetResourceName()).Order(StringComparer.Ordinal));

            // A YAML program is flat; in the binding each resource sits under its component (providers and the
            // environment baseline under the environment).
            Assert.Null(yaml.Options["parent"]);
            var parent = Assert.IsAssignableFrom<ComponentResource>(created.Options.Parent);
            var component = plan[yaml.Name].Component;
            Assert.Equal(component is null || component == plan.Environment ? environment.GetResourceName() : component, parent.GetResourceName());
        }

        foreach (var (outputName, expression) in program.Outputs)
        {
            var (value, secrets) = program.Evaluate(expression, run.Mocks.States, StackConfig);
            var output = (Output<object?>)run.StackOutputs[outputName]!;
            Assert.Equal(PlanOracle.Canonical(value), PlanOracle.Canonical(PlanOracle.ToJson(await Outputs.ValueAsync(output))));
            Assert.Equal(!secrets.IsEmpty, await Output.IsSecretAsync(output));
        }

        Assert.Equal(program.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal), run.StackOutputs.Keys.Order(StringComparer.Ordinal));
    }
}
