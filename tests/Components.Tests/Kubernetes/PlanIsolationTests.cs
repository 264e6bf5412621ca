using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>Names never collide, and one service's spec only ever shapes that service's resources.</summary>
public sealed class PlanIsolationTests
{
    // Names chosen to provoke collisions: prefixes of each other and of the suffixes the planner appends.
    private static readonly string[] TrickyNames =
    [
        "a", "a-service", "a-service-account", "a-network", "a-network-policy", "a-config", "a-secret", "a-env", "a-tls",
        "a-deployment", "a-hpa", "a-pdb", "a-cronjob", "a-ingress", "a-role", "namespace", "resource", "limit", "default",
        "default-deny-x", "quota", "db-connection", "api",
    ];

    private static EnvironmentSpec ManyServices(Tier tier)
    {
        var types = new[] { ServiceType.Web, ServiceType.Worker, ServiceType.Cron };
        var services = TrickyNames.Select((name, i) => ServiceSpec.Create(name, types[i % 3], $"r.example.com/{name}:1.{i}") with
        {
            Host = types[i % 3] == ServiceType.Web ? name : null,
            Port = types[i % 3] == ServiceType.Worker && i % 2 == 0 ? 9000 : null,
            Schedule = types[i % 3] == ServiceType.Cron ? "0 4 * * *" : null,
            Env = ImmutableSortedDictionary<string, EnvValue>.Empty
                .Add("PLAIN", EnvValue.Plain(name))
                .Add("TOKEN", EnvValue.Secret($"secret-of-{name}")),
            Uses = [TrickyNames[(i + 1) % TrickyNames.Length], "db"],
        });
        return new EnvironmentSpec(new EnvironmentMetadata("collide", "t", "cc"), tier, "default", null, [.. services],
            [ResourceSpec.Create("db", "postgres")]);
    }

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Prod)]
    public void No_two_resources_or_kubernetes_objects_share_a_name(Tier tier)
    {
        // PlanBuilder refuses duplicate logical names, so compiling at all proves the first half.
        var plan = KubernetesPlans.Compile(ManyServices(tier));
        Assert.Equal(plan.Resources.Length, plan.Resources.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count());

        // Objects of one kind in one namespace must differ too, including the TLS secrets cert-manager creates. An
        // autonamed object (no metadata.name) is "<logical name>-<8 hex digits>" (pulumi-kubernetes
        // provider/pkg/metadata/naming.go with pulumi/pulumi resource.NewUniqueName's default suffix): distinct
        // logical names keep it apart from other autonames, and its hex suffix from every fixed name ("-tls" is no hex).
        var objects = KubernetesPlans.KubernetesResources(plan)
            .Concat(plan.Resources.Where(r => r.Name.EndsWith("-connection", StringComparison.Ordinal)))
            .Select(r => (r.Type, Name: r.Inputs.At("metadata.name").Text() ?? $"{r.Name}-<8 hex digits>"))
            .Concat(plan.OfType(KubernetesTypes.Ingress).Select(r => (Type: KubernetesTypes.Secret, Name: r.Inputs.At("spec.tls.0.secretName").Text()!)))
            .ToList();
        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Name)));
        Assert.Equal(objects.Count, objects.Distinct().Count());
        Assert.Equal(plan.Outputs.Length, plan.Outputs.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(plan.Config.Length, plan.Config.Select(c => c.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(TrickyNames.Length, plan.Config.Count(c => c.Secret));
    }

    [Fact]
    public void A_service_named_like_the_namespace_policy_is_refused()
    {
        var spec = ManyServices(Tier.Dev);
        spec = spec with { Services = [.. spec.Services, ServiceSpec.Create("default-deny", ServiceType.Worker, "r.example.com/x:1")] };

        Assert.Throws<InvalidOperationException>(() => KubernetesPlans.Compile(spec));
    }

    public static TheoryData<string, Func<ServiceSpec, ServiceSpec>> OwnChanges() => new()
    {
        { "image", s => s with { Image = "r.example.com/new:9.9.9" } },
        { "plain env", s => s with { Env = s.Env.SetItem("PLAIN", EnvValue.Plain("changed")) } },
        { "secret env", s => s with { Env = s.Env.SetItem("TOKEN", EnvValue.Secret("rotated")) } },
        { "new secret", s => s with { Env = s.Env.SetItem("OTHER", EnvValue.Secret("another")) } },
        { "replicas", s => s with { Replicas = new ReplicaRange(2, 3) } },
        { "resources", s => s with { Resources = new ComputeResources("333m", "300Mi") } },
        { "health path", s => s with { HealthPath = "/live" } },
        { "command", s => s with { Command = ["/bin/app"], Args = ["--fast"] } },
        { "host", s => s with { Host = "elsewhere" } },
    };

    [Theory]
    [MemberData(nameof(OwnChanges))]
    public void Changing_one_service_changes_only_that_services_resources(string change, Func<ServiceSpec, ServiceSpec> edit)
    {
        var before = ManyServices(Tier.Staging);
        var target = before.Services.Single(s => s.Name == "a");
        Assert.Equal(ServiceType.Web, target.Type);
        var after = before with { Services = before.Services.Replace(target, edit(target)) };

        var changed = Diff(KubernetesPlans.Compile(before), KubernetesPlans.Compile(after), "a");

        Assert.NotEmpty(changed);
        Assert.All(changed, name => Assert.True(name.Component == "a", $"{change}: {name.Name} ({name.Component}) changed."));
    }

    [Fact]
    public void Changing_what_a_service_uses_changes_only_it_and_the_policies_of_its_old_and_new_peers()
    {
        var before = ManyServices(Tier.Staging);
        var target = before.Services.Single(s => s.Name == "a-network");
        var oldPeer = target.Uses[0];
        var after = before with { Services = before.Services.Replace(target, target with { Uses = ["api", "db"] }) };

        var changed = Diff(KubernetesPlans.Compile(before), KubernetesPlans.Compile(after), "a-network");

        Assert.Contains(changed, c => c.Name == ServiceResources.NetworkPolicy("a-network"));
        var outside = changed.Where(c => c.Component != "a-network").Select(c => c.Name).Order(StringComparer.Ordinal);
        Assert.Equal(
            new[] { ServiceResources.NetworkPolicy("api"), ServiceResources.NetworkPolicy(oldPeer) }.Order(StringComparer.Ordinal),
            outside);
    }

    // Resources that were added, removed or changed, and outputs/config that changed, with their component.
    private static List<(string Name, string? Component)> Diff(ResourcePlan before, ResourcePlan after, string service)
    {
        var old = before.Resources.ToDictionary(r => r.Name);
        var now = after.Resources.ToDictionary(r => r.Name);
        var changed = old.Keys.Union(now.Keys)
            .Where(n => !old.TryGetValue(n, out var a) || !now.TryGetValue(n, out var b) || !a.Equals(b))
            .Select(n => (n, (old.GetValueOrDefault(n) ?? now[n]).Component))
            .ToList();
        changed.AddRange(before.Outputs.Union(after.Outputs).Except(before.Outputs.Intersect(after.Outputs)).Select(o => (o.Name, o.Component)));
        var keys = before.StackConfig.Keys.Union(after.StackConfig.Keys)
            .Where(k => before.StackConfig.GetValueOrDefault(k) != after.StackConfig.GetValueOrDefault(k));
        var ownKeys = new[] { "TOKEN", "OTHER" }.Select(v => Casing.Camel(service, v)).ToHashSet(StringComparer.Ordinal);
        changed.AddRange(keys.Select(k => (k, (string?)(ownKeys.Contains(k) ? service : "?"))));
        return changed;
    }
}
