using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.Kubernetes;

public sealed class NetworkPolicyTests
{
    private static readonly DeploymentTarget Target = DeploymentTarget.Default with { Name = "eu", IngressNamespace = "edge", VpcCidr = "10.20.0.0/16" };

    // frontend (web, public) -> orders (web, internal) -> db (postgres), bucket; reporter (cron) -> orders; mailer (worker, no port).
    private static EnvironmentSpec Spec(Tier tier = Tier.Staging) => new(
        new EnvironmentMetadata("shop", "retail", "cc-42"),
        tier,
        "eu",
        null,
        [
            ServiceSpec.Create("frontend", ServiceType.Web, "r.example.com/frontend:1.0") with { Host = "www", Uses = ["orders", "mailer"] },
            ServiceSpec.Create("orders", ServiceType.Web, "r.example.com/orders:1.0") with { Port = 7000, Uses = ["db", "files"] },
            ServiceSpec.Create("reporter", ServiceType.Cron, "r.example.com/reporter:1.0") with { Schedule = "0 * * * *", Uses = ["orders"] },
            ServiceSpec.Create("mailer", ServiceType.Worker, "r.example.com/mailer:1.0"),
        ],
        [ResourceSpec.Create("db", "postgres"), ResourceSpec.Create("files", "bucket")]);

    private static PlanValue Policy(ResourcePlan plan, string service) => plan[ServiceResources.NetworkPolicy(service)].Inputs.At("spec")!;

    private static ImmutableSortedDictionary<string, string> SelectorOf(string service) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
        [
            KeyValuePair.Create("app.kubernetes.io/instance", $"shop-{service}"),
            KeyValuePair.Create("app.kubernetes.io/name", service),
        ]);

    private static List<(string Peer, string Ports)> Rules(PlanValue policy, string direction, string peers) =>
    [
        .. policy.At(direction).Items().SelectMany(rule => rule.At(peers).Items().Select(peer => (Describe(peer), string.Join(",", rule.At("ports").Items().Select(p => $"{p.At("protocol").Text()}/{p.At("port").Number()}"))))),
    ];

    private static string Describe(PlanValue peer) =>
        peer.At("podSelector") is { } pods ? $"pods:{pods.At("matchLabels").Strings()["app.kubernetes.io/name"]}"
        : peer.At("namespaceSelector") is { } ns ? $"namespace:{ns.At("matchLabels").Strings()["kubernetes.io/metadata.name"]}"
        : $"cidr:{peer.At("ipBlock.cidr").Text()}";

    [Fact]
    public void The_namespace_denies_all_traffic_by_default()
    {
        var plan = KubernetesPlans.Compile(Spec(), Target);
        var policy = plan[KubernetesPlanner.DefaultDeny];

        Assert.Equal(KubernetesTypes.NetworkPolicy, policy.Type);
        Assert.Equal(PlanValue.Map.Empty, policy.Inputs.At("spec.podSelector"));
        Assert.Equal(["Ingress", "Egress"], policy.Inputs.At("spec.policyTypes").Items().Select(i => i.Text()));
        Assert.Null(policy.Inputs.At("spec.ingress"));
        Assert.Null(policy.Inputs.At("spec.egress"));
    }

    [Fact]
    public void Public_hosts_let_the_ingress_controller_reach_cert_manager_solvers_only()
    {
        var plan = KubernetesPlans.Compile(Spec(), Target);
        var solver = plan[KubernetesPlanner.AcmeSolver].Inputs;

        Assert.Equal("true", solver.At("spec.podSelector.matchLabels")!.Key("acme.cert-manager.io/http01-solver").Text());
        Assert.Equal(["Ingress"], solver.At("spec.policyTypes").Items().Select(i => i.Text()));
        Assert.Equal("edge", solver.At("spec.ingress.0.from.0.namespaceSelector.matchLabels")!.Key("kubernetes.io/metadata.name").Text());
        Assert.Equal(8089m, (solver.At("spec.ingress.0.ports.0.port") as PlanValue.Number)?.Value);

        var internalOnly = Spec() with { Services = [.. Spec().Services.Where(s => s.Host is null)] };
        Assert.DoesNotContain(KubernetesPlans.Compile(internalOnly with { Services = [.. internalOnly.Services.Select(s => s with { Uses = [.. s.Uses.Where(u => u != "frontend")] })] }, Target).Resources,
            r => r.Name == KubernetesPlanner.AcmeSolver);
    }

    [Fact]
    public void A_public_web_service_accepts_only_the_ingress_controller_and_egresses_to_its_callees_and_dns()
    {
        var policy = Policy(KubernetesPlans.Compile(Spec(), Target), "frontend");

        Assert.Equal(SelectorOf("frontend"), policy.At("podSelector.matchLabels").Strings());
        Assert.Equal(["Ingress", "Egress"], policy.At("policyTypes").Items().Select(i => i.Text()));
        Assert.Equal([("namespace:edge", "TCP/8080")], Rules(policy, "ingress", "from"));
        // mailer listens on nothing, so no rule reaches it; orders on its container port (not the Service's 80).
        Assert.Equal([("namespace:kube-system", "UDP/53,TCP/53"), ("pods:orders", "TCP/7000")], Rules(policy, "egress", "to"));
    }

    [Fact]
    public void An_internal_service_accepts_exactly_the_services_that_use_it()
    {
        var policy = Policy(KubernetesPlans.Compile(Spec(), Target), "orders");

        Assert.Equal([("pods:frontend", "TCP/7000"), ("pods:reporter", "TCP/7000")], Rules(policy, "ingress", "from"));
        var callers = policy.At("ingress.0.from").Items().Select(p => p.At("podSelector.matchLabels").Strings()).ToList();
        Assert.Equal([SelectorOf("frontend"), SelectorOf("reporter")], callers);
    }

    [Fact]
    public void Database_egress_is_limited_to_the_vpc_and_cloud_apis_to_https()
    {
        var policy = Policy(KubernetesPlans.Compile(Spec(), Target), "orders");

        Assert.Equal(
            [("namespace:kube-system", "UDP/53,TCP/53"), ("cidr:10.20.0.0/16", "TCP/5432"), ("cidr:0.0.0.0/0", "TCP/443")],
            Rules(policy, "egress", "to"));
    }

    [Fact]
    public void Without_a_vpc_cidr_database_egress_is_limited_to_the_private_ranges()
    {
        var policy = Policy(KubernetesPlans.Compile(Spec(), Target with { VpcCidr = null }), "orders");

        Assert.Equal(
            WorkloadDefaults.PrivateRanges.Select(r => ($"cidr:{r}", "TCP/5432")),
            Rules(policy, "egress", "to").Where(r => r.Ports == "TCP/5432"));
    }

    [Fact]
    public void Workloads_without_callers_or_a_port_accept_nothing_and_reach_only_what_they_use()
    {
        var plan = KubernetesPlans.Compile(Spec(), Target);

        Assert.Null(Policy(plan, "mailer").At("ingress"));
        Assert.Equal([("namespace:kube-system", "UDP/53,TCP/53")], Rules(Policy(plan, "mailer"), "egress", "to"));
        Assert.Null(Policy(plan, "reporter").At("ingress"));
        Assert.Equal([("namespace:kube-system", "UDP/53,TCP/53"), ("pods:orders", "TCP/7000")], Rules(Policy(plan, "reporter"), "egress", "to"));
    }

    [Fact]
    public void Cron_pods_carry_the_labels_their_peers_select()
    {
        var plan = KubernetesPlans.Compile(Spec(), Target);
        var podLabels = plan[ServiceResources.CronJob("reporter")].Inputs.At("spec.jobTemplate.spec.template.metadata.labels").Strings();

        Assert.All(SelectorOf("reporter"), l => Assert.Equal(l.Value, podLabels[l.Key]));
    }
}
