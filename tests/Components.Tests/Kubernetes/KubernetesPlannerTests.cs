using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Kubernetes;

public sealed class KubernetesPlannerTests
{
    private static EnvironmentSpec ServicesOnly(Tier tier) => TestSpecs.CheckoutStaging(tier) with
    {
        Resources = [],
        Services = [.. TestSpecs.CheckoutStaging(tier).Services.Select(s => s with { Uses = [.. s.Uses.Where(u => u == "ledger")] })],
    };

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void The_namespace_is_named_after_the_environment_labelled_with_ownership_and_enforces_restricted_pods(Tier tier)
    {
        var spec = TestSpecs.CheckoutStaging(tier);
        var plan = KubernetesPlans.Compile(spec);
        var ns = plan[LogicalNames.Namespace];
        var labels = ns.Inputs.At("metadata.labels").Strings();

        Assert.Equal(KubernetesTypes.Namespace, ns.Type);
        Assert.Equal(spec.Name, ns.Inputs.At("metadata.name").Text());
        Assert.Equal(spec.Name, ns.Component);
        Assert.Equal("payments", labels["platform.io/team"]);
        Assert.Equal(Ownership.TierName(tier), labels["platform.io/tier"]);
        Assert.Equal("cc-1234", labels["platform.io/cost-center"]);
        Assert.Equal(Ownership.ManagedBy, labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("restricted", labels["pod-security.kubernetes.io/enforce"]);
        Assert.Null(ns.Inputs.At("metadata.namespace"));
    }

    [Theory]
    [InlineData(Tier.Dev)]
    [InlineData(Tier.Staging)]
    [InlineData(Tier.Prod)]
    public void Quota_and_limit_range_are_sized_by_the_tier(Tier tier)
    {
        var profile = TierProfile.For(tier);
        var plan = KubernetesPlans.Compile(TestSpecs.CheckoutStaging(tier));
        var quota = plan[KubernetesPlanner.ResourceQuota].Inputs.At("spec.hard").Strings();
        var limits = plan[KubernetesPlanner.LimitRange].Inputs.At("spec.limits.0")!;

        Assert.Equal(profile.QuotaCpu, quota["requests.cpu"]);
        Assert.Equal(profile.QuotaMemory, quota["requests.memory"]);
        Assert.Equal(profile.QuotaPods.ToString(System.Globalization.CultureInfo.InvariantCulture), quota["pods"]);
        Assert.Equal("Container", limits.At("type").Text());
        Assert.Equal(profile.DefaultCpuRequest, limits.At("defaultRequest.cpu").Text());
        Assert.Equal(profile.DefaultMemoryRequest, limits.At("defaultRequest.memory").Text());
        var expectedDefault = ComputeSizing.Default(profile);
        Assert.Equal(expectedDefault.CpuLimit, limits.At("default.cpu").Text());
        Assert.Equal(expectedDefault.MemoryLimit, limits.At("default.memory").Text());
        Assert.Equal(ComputeSizing.From(profile.MaxCpuRequest, profile.MaxMemoryRequest, profile).CpuLimit, limits.At("max.cpu").Text());
    }

    [Fact]
    public void The_kubernetes_provider_applies_server_side_and_keeps_config_maps_and_secrets_immutable()
    {
        // A changed value must replace the autonamed ConfigMap or Secret (a new name rolls the pods); the provider's own
        // flags win over PULUMI_K8S_ENABLE_*_MUTABLE set on the host.
        var provider = KubernetesPlans.Compile(TestSpecs.CheckoutStaging())[LogicalNames.KubernetesProvider].Inputs;

        Assert.Equal(PlanValue.From(true), provider["enableServerSideApply"]);
        Assert.Equal(PlanValue.From(false), provider["enableConfigMapMutable"]);
        Assert.Equal(PlanValue.From(false), provider["enableSecretMutable"]);
    }

    [Fact]
    public void Every_namespaced_object_refers_to_the_namespace_and_uses_the_kubernetes_provider()
    {
        var plan = KubernetesPlans.Compile(TestSpecs.CheckoutStaging());

        foreach (var resource in KubernetesPlans.KubernetesResources(plan).Where(r => r.Name != LogicalNames.Namespace))
        {
            Assert.Equal(PlanValue.Ref(LogicalNames.Namespace, "metadata.name"), resource.Inputs.At("metadata.namespace"));
            Assert.Contains(LogicalNames.Namespace, resource.Dependencies);
            Assert.Equal(LogicalNames.KubernetesProvider, resource.Options.Provider);
            Assert.Null(resource.Inputs["apiVersion"]);
            Assert.Null(resource.Inputs["kind"]);
        }
    }

    [Fact]
    public void Services_are_components_of_their_workload_type()
    {
        var plan = KubernetesPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Contains(new PlanComponent("api", KubernetesTypes.WebServiceComponent), plan.Components);
        Assert.Contains(new PlanComponent("ledger", KubernetesTypes.WorkerComponent), plan.Components);
        Assert.All(plan.ResourcesOf("api"), r => Assert.StartsWith("api-", r.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void The_example_web_service_is_published_over_tls_on_its_environment_host()
    {
        var target = DeploymentTarget.Default with { Name = "eu", BaseDomain = "apps.example.com", IngressClass = "public", CertificateIssuer = "le-prod" };
        var plan = KubernetesPlans.Compile(TestSpecs.CheckoutStaging(), target);
        var ingress = plan[ServiceResources.Ingress("api")];
        const string host = "checkout.checkout-staging.apps.example.com";

        Assert.Equal(KubernetesTypes.Ingress, ingress.Type);
        Assert.Equal("public", ingress.Inputs.At("spec.ingressClassName").Text());
        Assert.Equal("le-prod", ingress.Inputs.At("metadata.annotations").Key("cert-manager.io/cluster-issuer").Text());
        Assert.Equal(host, ingress.Inputs.At("spec.rules.0.host").Text());
        Assert.Equal([host], ingress.Inputs.At("spec.tls.0.hosts").Items().Select(h => h.Text()));
        Assert.Equal("api-tls", ingress.Inputs.At("spec.tls.0.secretName").Text());
        Assert.Equal("api", ingress.Inputs.At("spec.rules.0.http.paths.0.backend.service.name").Text());
        Assert.Equal(WorkloadDefaults.PortName, ingress.Inputs.At("spec.rules.0.http.paths.0.backend.service.port.name").Text());
        Assert.Equal(new PlanOutput("apiUrl", $"https://{host}", "api"), plan.Outputs.Single(o => o.Name == "apiUrl"));
        Assert.Equal("ClusterIP", plan[ServiceResources.Service("api")].Inputs.At("spec.type").Text());
    }

    [Fact]
    public void A_web_service_without_a_host_gets_a_service_but_no_ingress()
    {
        var spec = ServicesOnly(Tier.Dev);
        spec = spec with { Services = [.. spec.Services.Select(s => s with { Host = null })] };
        var plan = KubernetesPlans.Compile(spec);

        Assert.Contains(plan.Resources, r => r.Name == ServiceResources.Service("api"));
        Assert.DoesNotContain(plan.Resources, r => r.Type == KubernetesTypes.Ingress);
        Assert.Empty(plan.Outputs);
    }

    [Fact]
    public void A_worker_with_a_port_gets_a_cluster_service_on_that_port_and_one_without_gets_none()
    {
        var spec = ServicesOnly(Tier.Staging);
        spec = spec with { Services = [.. spec.Services, ServiceSpec.Create("grpc", ServiceType.Worker, "registry.example.com/payments/grpc:1.0.0") with { Port = 9090 }] };
        spec = spec with { Services = [.. spec.Services.Select(s => s.Name == "api" ? s with { Uses = [.. s.Uses, "grpc"] } : s)] };
        var plan = KubernetesPlans.Compile(spec);

        var service = plan[ServiceResources.Service("grpc")];
        Assert.Equal(KubernetesTypes.Service, service.Type);
        Assert.Equal("grpc", service.Component);
        Assert.Equal("grpc", service.Inputs.At("metadata.name").Text());
        Assert.Equal("ClusterIP", service.Inputs.At("spec.type").Text());
        Assert.Equal(9090, service.Inputs.At("spec.ports.0.port").Number());
        Assert.Equal(WorkloadDefaults.PortName, service.Inputs.At("spec.ports.0.targetPort").Text());
        // It selects the worker's pods, which name their port as the Service's target.
        var pod = plan[ServiceResources.Deployment("grpc")].Inputs.At("spec.template")!;
        var podLabels = pod.At("metadata.labels").Strings();
        Assert.NotEmpty(service.Inputs.At("spec.selector").Strings());
        Assert.All(service.Inputs.At("spec.selector").Strings(), e => Assert.Equal(e.Value, podLabels[e.Key]));
        Assert.Equal(WorkloadDefaults.PortName, pod.At("spec.containers.0.ports.0.name").Text());
        Assert.Equal(9090, pod.At("spec.containers.0.ports.0.containerPort").Number());
        // A worker without a port serves nothing: no Service, and no Ingress for any worker.
        Assert.DoesNotContain(plan.Resources, r => r.Name == ServiceResources.Service("ledger"));
        Assert.DoesNotContain(plan.Resources, r => r.Name == ServiceResources.Ingress("grpc"));
    }

    [Fact]
    public void Services_using_cloud_resources_get_their_role_and_database_connection()
    {
        var plan = KubernetesPlans.Compile(TestSpecs.CheckoutStaging());
        var account = plan[LogicalNames.ServiceAccount("api")].Inputs;
        var deployment = plan[ServiceResources.Deployment("api")];

        Assert.Equal(true, account.At("automountServiceAccountToken").Bool());
        Assert.Equal(PlanValue.Ref(LogicalNames.Role("api"), "arn"), account.At("metadata.annotations").Key("eks.amazonaws.com/role-arn"));
        Assert.Contains(LogicalNames.ConnectionSecret("orders-db"), deployment.Dependencies);
        Assert.Contains(
            deployment.Inputs.At("spec.template.spec.containers.0.envFrom").Items(),
            e => e.At("secretRef.name") == PlanValue.Ref(LogicalNames.ConnectionSecret("orders-db"), "metadata.name"));

        // Buckets and queues are found through their connection ConfigMaps, each by its generated name.
        Assert.Equal(
            [
                PlanValue.Ref("orders-db-connection", "metadata.name"), PlanValue.Ref("receipts-connection", "metadata.name"),
                PlanValue.Ref("events-connection", "metadata.name"), PlanValue.Ref(ServiceResources.ConfigMap("api"), "metadata.name"),
            ],
            deployment.Inputs.At("spec.template.spec.containers.0.envFrom").Items().Select(e => e.At("configMapRef.name") ?? e.At("secretRef.name")));
        Assert.Contains(ConnectionConfig.LogicalName("receipts"), deployment.Dependencies);
        Assert.Null(deployment.Inputs.At("spec.template.spec.containers.0.envFrom.0.prefix"));

        // ledger uses only a queue: a role and the queue's ConfigMap, but no database connection.
        var ledger = plan[ServiceResources.Deployment("ledger")];
        Assert.Equal(PlanValue.Ref(LogicalNames.Role("ledger"), "arn"), plan[LogicalNames.ServiceAccount("ledger")].Inputs.At("metadata.annotations").Key("eks.amazonaws.com/role-arn"));
        Assert.Equal([ConnectionConfig.LogicalName("events")], ledger.Dependencies.Where(d => d.EndsWith("-connection", StringComparison.Ordinal)));
        Assert.Equal([PlanValue.Ref("events-connection", "metadata.name")], ledger.Inputs.At("spec.template.spec.containers.0.envFrom").Items().Select(e => e.At("configMapRef.name")));
    }

    [Fact]
    public void A_service_using_several_databases_gets_each_connection_under_its_own_prefix()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [TestSpecs.CheckoutStaging().Services[0] with { Uses = ["orders-db", "audit-db"] }],
            Resources = [ResourceSpec.Create("orders-db", "postgres"), ResourceSpec.Create("audit-db", "postgres")],
        };
        var envFrom = KubernetesPlans.Compile(spec)[ServiceResources.Deployment("api")].Inputs.At("spec.template.spec.containers.0.envFrom").Items();

        Assert.Equal(
            [("orders-db-connection", "ORDERS_DB_"), ("audit-db-connection", "AUDIT_DB_")],
            envFrom.Where(e => e.At("secretRef.name") is PlanValue.Reference { Resource: var r } && r.EndsWith("-connection", StringComparison.Ordinal))
                .Select(e => (((PlanValue.Reference)e.At("secretRef.name")!).Resource, e.At("prefix").Text())));
    }

    [Fact]
    public void Without_cloud_resources_the_plan_compiles_through_the_real_compiler()
    {
        var spec = ServicesOnly(Tier.Prod);
        var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);

        Assert.Equal(KubernetesPlans.Compile(spec).Resources, plan.Resources);
        Assert.DoesNotContain(plan.Resources, r => r.Dependencies.Any(d => d.EndsWith("-role", StringComparison.Ordinal)));
    }

    [Fact]
    public void Objects_read_identity_first_like_hand_written_manifests()
    {
        var deployment = KubernetesPlans.Compile(TestSpecs.CheckoutStaging())[ServiceResources.Deployment("api")].Inputs;
        var keys = (PlanValue? v) => ((PlanValue.Map)v!).Entries.Select(e => e.Key).ToList();

        Assert.Equal(["metadata", "spec"], keys(deployment));
        Assert.Equal(["name", "namespace", "labels"], keys(deployment.At("metadata")));
        Assert.Equal(["name", "image", "imagePullPolicy", "ports", "envFrom", "resources"], keys(deployment.At("spec.template.spec.containers.0"))[..6]);
        Assert.Equal(["serviceAccountName", "securityContext", "containers"], keys(deployment.At("spec.template.spec"))[..3]);
    }

    [Fact]
    public void Compiling_twice_gives_the_same_plan()
    {
        var a = KubernetesPlans.Compile(TestSpecs.CheckoutStaging());
        var b = KubernetesPlans.Compile(TestSpecs.CheckoutStaging());

        Assert.Equal(a.Resources, b.Resources);
        Assert.Equal(a.Outputs, b.Outputs);
    }
}
