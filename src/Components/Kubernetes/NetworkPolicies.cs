using k8s.Models;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Network policies: a namespace-wide default deny, and per service exactly the traffic its spec declares.
/// Peers are selected by the stable selector labels (<see cref="WorkloadLabels.SelectorOf"/>), so a release of one
/// service never changes another's policy.
/// </summary>
internal static class NetworkPolicies
{
    private const string Ingress = "Ingress";
    private const string Egress = "Egress";
    private const string Tcp = "TCP";
    private const string Udp = "UDP";
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";
    private const int DnsPort = 53;

    /// <summary>Denies all traffic to and from every pod in the namespace unless another policy allows it.</summary>
    public static V1NetworkPolicySpec DefaultDeny() => new()
    {
        PodSelector = new V1LabelSelector(),
        PolicyTypes = [Ingress, Egress],
    };

    /// <summary>Label cert-manager puts on its HTTP-01 challenge solver pods.</summary>
    public const string AcmeSolverLabel = "acme.cert-manager.io/http01-solver";

    /// <summary>Port cert-manager's HTTP-01 solver listens on.</summary>
    public const int AcmeSolverPort = 8089;

    /// <summary>
    /// Lets the ingress controller reach cert-manager's HTTP-01 solver pods, which cert-manager starts in this
    /// namespace while it issues an Ingress certificate; default-deny would otherwise fail every challenge.
    /// </summary>
    public static V1NetworkPolicySpec AcmeSolver(PlanContext context) => new()
    {
        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [AcmeSolverLabel] = "true" } },
        PolicyTypes = [Ingress],
        Ingress =
        [
            new V1NetworkPolicyIngressRule
            {
                FromProperty = [NamespacePeer(context.Target.IngressNamespace)],
                Ports = [TcpPort(AcmeSolverPort)],
            },
        ],
    };

    /// <summary>
    /// A service's policy. Ingress: from the ingress controller's namespace when the service has a public host, and
    /// from the pods of services that declare <c>uses: [this]</c>, only on the service's port (a service without a port
    /// accepts nothing). Egress: DNS; the services it uses, on their ports (one without a port listens on nothing and
    /// gets no rule); each port a used resource listens on in the target's VPC (or the private ranges), as its kind
    /// grants (<see cref="ResourceGrant.PrivateNetworkPorts"/>); HTTPS anywhere when a used resource needs the AWS APIs.
    /// </summary>
    public static V1NetworkPolicySpec ForService(PlanContext context, ServiceSpec service)
    {
        var spec = context.Spec;
        var ingress = new List<V1NetworkPolicyIngressRule>();
        if (service.EffectivePort is { } port)
        {
            if (service.Type == ServiceType.Web && service.Host is not null)
            {
                ingress.Add(new V1NetworkPolicyIngressRule
                {
                    FromProperty = [NamespacePeer(context.Target.IngressNamespace)],
                    Ports = [TcpPort(port)],
                });
            }

            var callers = context.ServicesUsing(service.Name);
            if (!callers.IsEmpty)
            {
                ingress.Add(new V1NetworkPolicyIngressRule
                {
                    FromProperty = [.. callers.Select(c => PodPeer(spec, c))],
                    Ports = [TcpPort(port)],
                });
            }
        }

        var egress = new List<V1NetworkPolicyEgressRule>
        {
            new()
            {
                To = [NamespacePeer(WorkloadDefaults.DnsNamespace)],
                Ports = [new V1NetworkPolicyPort { Port = DnsPort, Protocol = Udp }, new V1NetworkPolicyPort { Port = DnsPort, Protocol = Tcp }],
            },
        };
        foreach (var callee in context.ServicesUsedBy(service))
        {
            if (callee.EffectivePort is { } calleePort)
            {
                egress.Add(new V1NetworkPolicyEgressRule { To = [PodPeer(spec, callee)], Ports = [TcpPort(calleePort)] });
            }
        }

        // Each port a used resource listens on inside the VPC, once; then HTTPS for the AWS APIs when any needs them.
        var grants = context.GrantsTo(service);
        // The grants' ports, each once, in order: a loop rather than SelectMany/Distinct, so no set per service.
        var ports = new List<int>();
        foreach (var grant in grants)
        {
            foreach (var grantedPort in grant.PrivateNetworkPorts)
            {
                if (!ports.Contains(grantedPort))
                {
                    ports.Add(grantedPort);
                }
            }
        }

        foreach (var privatePort in ports)
        {
            var ranges = context.Target.VpcCidr is { } vpc ? [vpc] : WorkloadDefaults.PrivateRanges;
            egress.Add(new V1NetworkPolicyEgressRule
            {
                To = [.. ranges.Select(cidr => new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = cidr } })],
                Ports = [TcpPort(privatePort)],
            });
        }

        if (grants.Any(g => g.UsesAwsApis))
        {
            egress.Add(new V1NetworkPolicyEgressRule
            {
                To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = WorkloadDefaults.AnyAddress } }],
                Ports = [TcpPort(WorkloadDefaults.HttpsPort)],
            });
        }

        // Telemetry export: the collector's namespace (named, or the endpoint's Service address), on the endpoint's port.
        if (context.Target.Telemetry is { EgressNamespace: { } collector, OtlpPort: { } otlpPort })
        {
            egress.Add(new V1NetworkPolicyEgressRule { To = [NamespacePeer(collector)], Ports = [TcpPort(otlpPort)] });
        }

        return new V1NetworkPolicySpec
        {
            PodSelector = Selector(spec, service),
            PolicyTypes = [Ingress, Egress],
            // No ingress rules with the Ingress policy type means no ingress at all: say so by omission.
            Ingress = ingress.Count == 0 ? null : ingress,
            Egress = egress,
        };
    }

    private static V1NetworkPolicyPeer NamespacePeer(string name) => new()
    {
        NamespaceSelector = new V1LabelSelector { MatchLabels = NamespaceSelector(name) },
    };

    /// <summary>
    /// The labels that select the namespace <paramref name="name"/>: within a compilation one instance per namespace
    /// (every service's policy names DNS's, most the ingress controller's), made and converted once.
    /// </summary>
    internal static SharedLabels NamespaceSelector(string name) =>
        SharedValues.Current?.NamespaceSelector(name) ?? NewNamespaceSelector(name);

    /// <summary>A new <see cref="NamespaceSelector"/>.</summary>
    internal static SharedLabels NewNamespaceSelector(string name) =>
        SharedLabels.Wrap(new(1, StringComparer.Ordinal) { [NamespaceNameLabel] = name });

    private static V1NetworkPolicyPeer PodPeer(EnvironmentSpec spec, ServiceSpec service) => new()
    {
        PodSelector = Selector(spec, service),
    };

    private static V1NetworkPolicyPort TcpPort(int port) => new() { Port = port, Protocol = Tcp };

    // WorkloadLabels.SelectorOf's pairs in its (ordinal) order: the service's one set of selector labels in the
    // compilation, so a peer costs neither a dictionary nor a conversion of its labels.
    private static V1LabelSelector Selector(EnvironmentSpec spec, ServiceSpec service) => new()
    {
        MatchLabels = WorkloadLabels.PodSelector(spec, service),
    };
}
