using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Targets;
using Platform.Generated;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>
/// Equal values the Kubernetes models convert to are one instance within a compilation, and never across two:
/// <see cref="GeneratedEnvironmentTests"/> holds that the bytes do not change; these hold that sharing happens, stays
/// inside its compilation, and leaves nothing behind on the thread.
/// </summary>
public sealed class SharedValuesTests
{
    private static ResourcePlan Compile(int services) =>
        PlanCompiler.Compile(SpecParser.Parse(GeneratedSpecs.Yaml(services, "prod")).Spec!, DeploymentTarget.Default);

    private static PlanValue Path(PlannedResource resource, params string[] keys)
    {
        PlanValue value = resource.Inputs;
        foreach (var key in keys)
        {
            value = ((PlanValue.Map)value)[key] ?? throw new KeyNotFoundException(key);
        }

        return value;
    }

    private static PlanValue SecurityContext(PlannedResource deployment) =>
        ((PlanValue.List)Path(deployment, "spec", "template", "spec", "containers")).Items[0] is PlanValue.Map container
            ? container["securityContext"]!
            : throw new InvalidOperationException("No container.");

    [Fact]
    public void Equal_values_of_one_plan_are_one_instance()
    {
        var deployments = Compile(12).Resources.Where(r => r.Type == KubernetesTypes.Deployment).ToList();
        Assert.True(deployments.Count >= 2);

        var first = SecurityContext(deployments[0]);
        Assert.All(deployments.Skip(1), d =>
        {
            Assert.Equal(first, SecurityContext(d));
            Assert.Same(first, SecurityContext(d));
        });
    }

    [Theory]
    [InlineData(12, "prod")]
    [InlineData(60, "staging")]
    [InlineData(60, "dev")]
    public void Every_map_and_list_the_models_convert_to_is_one_instance_per_distinct_value(int services, string tier)
    {
        // Below each Kubernetes object's root: a service's own values (its name, labels, selectors) are filed in the
        // small recent tables, values every service has in the big ones, and a value is found in whichever holds it.
        var plan = PlanCompiler.Compile(SpecParser.Parse(GeneratedSpecs.Yaml(services, tier)).Spec!, DeploymentTarget.Default);
        var instances = new Dictionary<PlanValue, HashSet<PlanValue>>();
        void Walk(PlanValue value)
        {
            var children = value switch
            {
                PlanValue.Map map => map.Entries.Select(e => e.Value),
                PlanValue.List list => list.Items.AsEnumerable(),
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is PlanValue.Map or PlanValue.List)
                {
                    (instances.TryGetValue(child, out var seen) ? seen : instances[child] = new(ReferenceEqualityComparer.Instance)).Add(child);
                    Walk(child);
                }
            }
        }

        foreach (var resource in plan.Resources.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)))
        {
            Walk(resource.Inputs);
        }

        Assert.True(instances.Count > services * 3, $"only {instances.Count} distinct maps and lists");
        Assert.Empty(instances.Where(i => i.Value.Count > 1).Select(i => $"{i.Value.Count} instances of {PlanJson.Value(i.Key)?.ToJsonString()}"));
    }

    [Fact]
    public void A_map_holding_a_value_new_to_the_compilation_is_found_again_by_an_equal_conversion()
    {
        using (SharedValues.Enter())
        {
            var table = SharedValues.Current!;
            var before = table.Stamp;
            var name = table.Text("orders-api");
            Assert.NotEqual(before, table.Stamp);
            var labels = table.Map([KeyValuePair.Create("app", (PlanValue)name)], before);

            // Converted again later: the text is no longer new, so the stamp does not move while converting it.
            var again = table.Stamp;
            Assert.Same(name, table.Text("orders-api"));
            Assert.Equal(again, table.Stamp);
            Assert.Same(labels, table.Map([KeyValuePair.Create("app", (PlanValue)name)], again));

            // A map of values filed earlier is filed for everyone; one holding the recent map is recent too.
            var common = table.Map([KeyValuePair.Create("protocol", (PlanValue)table.Text("TCP"))], table.Stamp);
            var mark = table.Stamp;
            Assert.Same(common, table.Map([KeyValuePair.Create("protocol", (PlanValue)table.Text("TCP"))], mark));
            Assert.Equal(mark, table.Stamp);
            var outer = table.Map([KeyValuePair.Create("labels", (PlanValue)labels)], mark);
            Assert.NotEqual(mark, table.Stamp);
            Assert.Same(outer, table.Map([KeyValuePair.Create("labels", (PlanValue)labels)], table.Stamp));
        }
    }

    [Fact]
    public void Recent_values_beyond_the_recent_tables_capacity_stay_equal()
    {
        // The recent tables are emptied when they fill: later equal values may be new instances, never other values.
        using (SharedValues.Enter())
        {
            var table = SharedValues.Current!;
            var maps = new List<PlanValue.Map>();
            for (var i = 0; i < 5000; i++)
            {
                var stamp = table.Stamp;
                maps.Add(table.Map([KeyValuePair.Create("name", (PlanValue)table.Text($"service-{i}"))], stamp));
            }

            for (var i = 0; i < 5000; i++)
            {
                var again = table.Map([KeyValuePair.Create("name", (PlanValue)table.Text($"service-{i}"))], table.Stamp);
                Assert.Equal(maps[i], again);
            }
        }
    }

    [Fact]
    public void Two_compilations_share_nothing_and_the_thread_keeps_no_table()
    {
        var one = Compile(12).Resources.First(r => r.Type == KubernetesTypes.Deployment);
        var two = Compile(12).Resources.First(r => r.Type == KubernetesTypes.Deployment);

        Assert.Equal(SecurityContext(one), SecurityContext(two));
        Assert.NotSame(SecurityContext(one), SecurityContext(two));
        Assert.Null(SharedValues.Current);
    }

    [Fact]
    public async Task Compilations_on_several_threads_at_once_each_share_only_within_themselves()
    {
        var expected = PlanJson.Serialize(Compile(60));
        using var start = new Barrier(4);

        var plans = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return Compile(60);
        }, TaskCreationOptions.LongRunning)));

        Assert.All(plans, plan => Assert.Equal(expected, PlanJson.Serialize(plan)));
        var contexts = plans.Select(p => SecurityContext(p.Resources.First(r => r.Type == KubernetesTypes.Deployment))).ToList();
        Assert.Equal(4, contexts.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public void Outside_a_compilation_every_conversion_is_new()
    {
        var model = new k8s.Models.V1SecurityContext { RunAsNonRoot = true, Capabilities = new k8s.Models.V1Capabilities { Drop = ["ALL"] } };

        Assert.NotSame(KubernetesInputs.From(model)["capabilities"], KubernetesInputs.From(model)["capabilities"]);
    }

    [Fact]
    public void A_nested_scope_joins_the_open_one_and_only_the_outer_scope_closes_it()
    {
        using (SharedValues.Enter())
        {
            var outer = SharedValues.Current;
            using (SharedValues.Enter())
            {
                Assert.Same(outer, SharedValues.Current);
            }

            Assert.Same(outer, SharedValues.Current);
            Assert.Same(outer!.Text("TCP"), outer.Text(new string("TCP".AsSpan())));
        }

        Assert.Null(SharedValues.Current);
    }

    [Fact]
    public void A_compilation_that_throws_closes_its_scope()
    {
        var spec = SpecParser.Parse(GeneratedSpecs.Yaml(12, "prod")).Spec!;
        var broken = spec with { Services = [.. spec.Services, spec.Services[0]] }; // two services of one name

        Assert.ThrowsAny<InvalidOperationException>(() => PlanCompiler.Compile(broken, DeploymentTarget.Default));
        Assert.Null(SharedValues.Current);
    }
}
