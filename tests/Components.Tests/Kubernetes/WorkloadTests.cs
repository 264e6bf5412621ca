using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Tests.Rendering;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>Each workload type in each tier: security context, probes, sizing, labels, autoscaling and disruption budget.</summary>
public sealed class WorkloadTests
{
    public static TheoryData<ServiceType, Tier> TypesAndTiers()
    {
        var data = new TheoryData<ServiceType, Tier>();
        foreach (var type in Enum.GetValues<ServiceType>())
        {
            foreach (var tier in Enum.GetValues<Tier>())
            {
                data.Add(type, tier);
            }
        }

        return data;
    }

    /// <summary>One service of <paramref name="type"/> (named "svc") next to a web service it calls.</summary>
    internal static EnvironmentSpec SpecWith(ServiceType type, Tier tier, Func<ServiceSpec, ServiceSpec>? customize = null)
    {
        var service = ServiceSpec.Create("svc", type, "registry.example.com/team/svc:3.1.0") with
        {
            Uses = ["backend"],
            Schedule = type == ServiceType.Cron ? "*/15 * * * *" : null,
            Host = type == ServiceType.Web ? "svc" : null,
            Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("MODE", EnvValue.Plain("fast")),
        };
        return new EnvironmentSpec(
            new EnvironmentMetadata("shop-" + Ownership.TierName(tier), "retail", "cc-42"),
            tier,
            EnvironmentSpec.DefaultTarget,
            null,
            [customize?.Invoke(service) ?? service, ServiceSpec.Create("backend", ServiceType.Web, "registry.example.com/team/backend:1.0.0")],
            []);
    }

    private static PlanValue.Map PodSpec(ResourcePlan plan, ServiceType type) => (PlanValue.Map)(type == ServiceType.Cron
        ? plan[ServiceResources.CronJob("svc")].Inputs.At("spec.jobTemplate.spec.template.spec")
        : plan[ServiceResources.Deployment("svc")].Inputs.At("spec.template.spec"))!;

    private static PlanValue.Map PodMetadata(ResourcePlan plan, ServiceType type) => (PlanValue.Map)(type == ServiceType.Cron
        ? plan[ServiceResources.CronJob("svc")].Inputs.At("spec.jobTemplate.spec.template.metadata")
        : plan[ServiceResources.Deployment("svc")].Inputs.At("spec.template.metadata"))!;

    [Theory]
    [MemberData(nameof(TypesAndTiers))]
    public void Pods_run_as_non_root_with_a_read_only_root_filesystem_and_no_capabilities(ServiceType type, Tier tier)
    {
        var pod = PodSpec(KubernetesPlans.Compile(SpecWith(type, tier)), type);

        Assert.Equal(true, pod.At("securityContext.runAsNonRoot").Bool());
        Assert.Equal(WorkloadDefaults.RunAsUser, pod.At("securityContext.runAsUser").Number());
        Assert.Equal(WorkloadDefaults.RunAsUser, pod.At("securityContext.runAsGroup").Number());
        Assert.Equal("RuntimeDefault", pod.At("securityContext.seccompProfile.type").Text());
        var container = Assert.Single(pod.At("containers").Items());
        Assert.Equal(true, container.At("securityContext.runAsNonRoot").Bool());
        Assert.Equal(true, container.At("securityContext.readOnlyRootFilesystem").Bool());
        Assert.Equal(false, container.At("securityContext.allowPrivilegeEscalation").Bool());
        Assert.Equal(false, container.At("securityContext.privileged").Bool());
        Assert.Equal(["ALL"], container.At("securityContext.capabilities.drop").Items().Select(i => i.Text()));
        Assert.Null(container.At("securityContext.capabilities.add"));
        Assert.Equal("RuntimeDefault", container.At("securityContext.seccompProfile.type").Text());

        // The only writable path is a size-limited scratch volume.
        var mount = Assert.Single(container.At("volumeMounts").Items());
        Assert.Equal("/tmp", mount.At("mountPath").Text());
        var volume = Assert.Single(pod.At("volumes").Items());
        Assert.Equal(mount.At("name").Text(), volume.At("name").Text());
        Assert.Equal(WorkloadDefaults.TempSizeLimit, volume.At("emptyDir.sizeLimit").Text());
        Assert.Equal("registry.example.com/team/svc:3.1.0", container.At("image").Text());
    }

    [Theory]
    [MemberData(nameof(TypesAndTiers))]
    public void Probes_match_the_workload_type(ServiceType type, Tier tier)
    {
        var container = PodSpec(KubernetesPlans.Compile(SpecWith(type, tier)), type).At("containers.0")!;

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            if (type == ServiceType.Web)
            {
                Assert.Equal(ServiceSpec.DefaultHealthPath, container.At($"{probe}.httpGet.path").Text());
                Assert.Equal(WorkloadDefaults.PortName, container.At($"{probe}.httpGet.port").Text());
            }
            else
            {
                Assert.Null(container.At(probe));
            }
        }

        if (type == ServiceType.Web)
        {
            Assert.Equal(ServiceSpec.DefaultWebPort, container.At("ports.0.containerPort").Number());
            Assert.Equal(WorkloadDefaults.PortName, container.At("ports.0.name").Text());
            Assert.True(container.At("startupProbe.failureThreshold").Number() * container.At("startupProbe.periodSeconds").Number() >= 60);
        }
        else
        {
            Assert.Null(container.At("ports"));
        }
    }

    [Fact]
    public void A_web_service_probes_its_declared_path_and_port()
    {
        var plan = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Prod, s => s with { Port = 9000, HealthPath = "/ready" }));
        var container = PodSpec(plan, ServiceType.Web).At("containers.0")!;

        Assert.Equal("/ready", container.At("readinessProbe.httpGet.path").Text());
        Assert.Equal("/ready", container.At("livenessProbe.httpGet.path").Text());
        Assert.Equal(9000, container.At("ports.0.containerPort").Number());
        Assert.Equal(WorkloadDefaults.PortName, plan[ServiceResources.Service("svc")].Inputs.At("spec.ports.0.targetPort").Text());
    }

    [Fact]
    public void A_worker_with_a_port_gets_tcp_probes()
    {
        var container = PodSpec(KubernetesPlans.Compile(SpecWith(ServiceType.Worker, Tier.Staging, s => s with { Port = 9090 })), ServiceType.Worker).At("containers.0")!;

        Assert.Equal(WorkloadDefaults.PortName, container.At("readinessProbe.tcpSocket.port").Text());
        Assert.Equal(WorkloadDefaults.PortName, container.At("livenessProbe.tcpSocket.port").Text());
        Assert.Null(container.At("readinessProbe.httpGet"));
        Assert.Equal(9090, container.At("ports.0.containerPort").Number());
    }

    [Theory]
    [MemberData(nameof(TypesAndTiers))]
    public void Requests_default_to_the_tier_and_limits_scale_them_by_the_tier_factors(ServiceType type, Tier tier)
    {
        var profile = TierProfile.For(tier);
        var resources = PodSpec(KubernetesPlans.Compile(SpecWith(type, tier)), type).At("containers.0.resources")!;

        Assert.Equal(profile.DefaultCpuRequest, resources.At("requests.cpu").Text());
        Assert.Equal(profile.DefaultMemoryRequest, resources.At("requests.memory").Text());
        Assert.Equal(Quantity(profile.DefaultCpuRequest) * profile.CpuLimitFactor, Quantity(resources.At("limits.cpu").Text()!));
        Assert.Equal(Quantity(profile.DefaultMemoryRequest) * profile.MemoryLimitFactor, Quantity(resources.At("limits.memory").Text()!));
    }

    [Theory]
    [InlineData(Tier.Dev, "300m", "1Gi", "600m", "2Gi")]
    [InlineData(Tier.Staging, "300m", "1Gi", "600m", "1536Mi")]
    [InlineData(Tier.Prod, "1500m", "1Gi", "3", "1Gi")]
    public void Declared_requests_are_kept_and_limited_by_the_tier(Tier tier, string cpu, string memory, string cpuLimit, string memoryLimit)
    {
        var spec = SpecWith(ServiceType.Worker, tier, s => s with { Resources = new ComputeResources(cpu, memory) });
        var resources = PodSpec(KubernetesPlans.Compile(spec), ServiceType.Worker).At("containers.0.resources")!;

        Assert.Equal(cpu, resources.At("requests.cpu").Text());
        Assert.Equal(memory, resources.At("requests.memory").Text());
        Assert.Equal(cpuLimit, resources.At("limits.cpu").Text());
        Assert.Equal(memoryLimit, resources.At("limits.memory").Text());
    }

    [Theory]
    [MemberData(nameof(TypesAndTiers))]
    public void Every_object_of_a_service_carries_ownership_and_app_labels_and_selectors_use_the_stable_subset(ServiceType type, Tier tier)
    {
        var spec = SpecWith(type, tier);
        var plan = KubernetesPlans.Compile(spec);
        var stable = Ownership.KubernetesLabels(spec).SetItems(
        [
            KeyValuePair.Create("app.kubernetes.io/name", "svc"),
            KeyValuePair.Create("app.kubernetes.io/instance", $"{spec.Name}-svc"),
            KeyValuePair.Create("app.kubernetes.io/component", type.ToString().ToLowerInvariant()),
            KeyValuePair.Create("app.kubernetes.io/part-of", spec.Name),
        ]);

        // The version is only on the workload and its pods, so a new image changes nothing else of the service.
        var expected = stable.SetItem("app.kubernetes.io/version", "3.1.0");
        var workload = type == ServiceType.Cron ? ServiceResources.CronJob("svc") : ServiceResources.Deployment("svc");
        var selector = expected.Where(l => l.Key is "app.kubernetes.io/name" or "app.kubernetes.io/instance").ToImmutableSortedDictionary(StringComparer.Ordinal);

        var resources = plan.ResourcesOf("svc").ToList();
        Assert.NotEmpty(resources);
        foreach (var resource in resources)
        {
            Assert.Equal(resource.Name == workload ? expected : stable, resource.Inputs.At("metadata.labels").Strings());
            Assert.Equal("${namespace.metadata.name}", resource.Inputs.At("metadata.namespace") is PlanValue.Reference r ? $"${{{r.Resource}.{r.Property}}}" : null);
            Assert.Equal(LogicalNames.KubernetesProvider, resource.Options.Provider);
        }

        Assert.Equal(expected, PodMetadata(plan, type).At("labels").Strings());
        if (type != ServiceType.Cron)
        {
            Assert.Equal(selector, plan[ServiceResources.Deployment("svc")].Inputs.At("spec.selector.matchLabels").Strings());
        }

        Assert.Equal(selector, plan[ServiceResources.NetworkPolicy("svc")].Inputs.At("spec.podSelector.matchLabels").Strings());
        if (type == ServiceType.Web)
        {
            Assert.Equal(selector, plan[ServiceResources.Service("svc")].Inputs.At("spec.selector").Strings());
        }
    }

    [Theory]
    [MemberData(nameof(TypesAndTiers))]
    public void Autoscaler_and_disruption_budget_follow_the_tier(ServiceType type, Tier tier)
    {
        var profile = TierProfile.For(tier);
        var plan = KubernetesPlans.Compile(SpecWith(type, tier));
        var autoscaled = profile.DefaultReplicas.Max > profile.DefaultReplicas.Min;

        if (type == ServiceType.Cron)
        {
            Assert.False(plan.Resources.Any(r => r.Name is "svc-deployment" or "svc-hpa" or "svc-pdb"));
            return;
        }

        var deployment = plan[ServiceResources.Deployment("svc")].Inputs;
        Assert.Equal(autoscaled, plan.Resources.Any(r => r.Name == ServiceResources.Autoscaler("svc")));
        Assert.Equal(profile.DisruptionBudget, plan.Resources.Any(r => r.Name == ServiceResources.DisruptionBudget("svc")));
        // Autoscaled or not, the Deployment states a count: the minimum, which only a create uses when autoscaled.
        Assert.Equal(profile.DefaultReplicas.Min, deployment.At("spec.replicas").Number());
        if (autoscaled)
        {
            var hpa = plan[ServiceResources.Autoscaler("svc")].Inputs;
            Assert.Equal(profile.DefaultReplicas.Min, hpa.At("spec.minReplicas").Number());
            Assert.Equal(profile.DefaultReplicas.Max, hpa.At("spec.maxReplicas").Number());
            Assert.Equal(profile.TargetCpuUtilization, hpa.At("spec.metrics.0.resource.target.averageUtilization").Number());
            Assert.Equal("cpu", hpa.At("spec.metrics.0.resource.name").Text());
            Assert.Equal("Deployment", hpa.At("spec.scaleTargetRef.kind").Text());
            Assert.Equal(PlanValue.Ref(ServiceResources.Deployment("svc"), "metadata.name"), hpa.At("spec.scaleTargetRef.name"));
        }

        if (profile.DisruptionBudget)
        {
            var pdb = plan[ServiceResources.DisruptionBudget("svc")].Inputs;
            Assert.Equal(1, pdb.At("spec.maxUnavailable").Number());
            Assert.Equal(deployment.At("spec.selector"), pdb.At("spec.selector"));
        }

        Assert.Equal(profile.RollingMaxSurge, Render(deployment.At("spec.strategy.rollingUpdate.maxSurge")));
        Assert.Equal(profile.RollingMaxUnavailable, Render(deployment.At("spec.strategy.rollingUpdate.maxUnavailable")));
        var spread = deployment.At("spec.template.spec.topologySpreadConstraints").Items();
        Assert.Equal(profile.ZoneSpread, spread.Any(c => c.At("topologyKey").Text() == "topology.kubernetes.io/zone"));
    }

    [Fact]
    public void Declared_replicas_drive_the_autoscaler_and_a_fixed_count_needs_none()
    {
        var scaled = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Prod, s => s with { Replicas = new ReplicaRange(3, 12) }));
        Assert.Equal(12, scaled[ServiceResources.Autoscaler("svc")].Inputs.At("spec.maxReplicas").Number());

        var fixedCount = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Prod, s => s with { Replicas = new ReplicaRange(4, 4) }));
        Assert.DoesNotContain(fixedCount.Resources, r => r.Name == ServiceResources.Autoscaler("svc"));
        Assert.Equal(4, fixedCount[ServiceResources.Deployment("svc")].Inputs.At("spec.replicas").Number());
    }

    [Theory]
    [InlineData(ServiceType.Web)]
    [InlineData(ServiceType.Worker)]
    public void An_autoscaled_deployment_starts_at_the_minimum_and_updates_leave_its_count_to_the_autoscaler(ServiceType type)
    {
        // Fixed 4 → autoscaled 3–12 is one update. Leaving spec.replicas out of the program would make server-side
        // apply drop Pulumi's ownership of it and the API server default it to 1 until the autoscaler acts; stating
        // it and ignoring its changes keeps the 4 pods (Pulumi's engine resets an ignored path to its last input).
        var scaled = KubernetesPlans.Compile(SpecWith(type, Tier.Prod, s => s with { Replicas = new ReplicaRange(3, 12) }));
        var deployment = scaled[ServiceResources.Deployment("svc")];
        Assert.Equal(3, deployment.Inputs.At("spec.replicas").Number());
        Assert.Equal([WorkloadDefaults.ReplicasPath], deployment.Options.IgnoreChanges);
        Assert.Null(deployment.Inputs.At("metadata.annotations"));

        var program = PulumiYaml.Json(PulumiYamlRenderer.Render(scaled).Program);
        var rendered = program["resources"]![ServiceResources.Deployment("svc")]!;
        Assert.Equal(["spec.replicas"], rendered["options"]!["ignoreChanges"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(3, rendered["properties"]!["spec"]!["replicas"]!.GetValue<long>());
        Assert.All(scaled.Resources.Where(r => !r.Options.IgnoreChanges.IsEmpty), r => Assert.Equal(KubernetesTypes.Deployment, r.Type));
    }

    [Fact]
    public void A_fixed_count_deployment_wins_a_field_conflict_left_by_an_earlier_autoscaler()
    {
        // Autoscaled → fixed: the autoscaler's last scale write left spec.replicas to kube-controller-manager, so a
        // server-side apply of the fixed count conflicts unless forced.
        var fixedCount = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Prod, s => s with { Replicas = new ReplicaRange(4, 4) }));
        var deployment = fixedCount[ServiceResources.Deployment("svc")];
        Assert.Equal("true", deployment.Inputs.At("metadata.annotations").Key(WorkloadDefaults.PatchForceAnnotation).Text());
        Assert.True(deployment.Options.IgnoreChanges.IsEmpty);

        var program = PulumiYaml.Json(PulumiYamlRenderer.Render(fixedCount).Program);
        Assert.Equal("true", (string?)program["resources"]![deployment.Name]!["properties"]!["metadata"]!["annotations"]!["pulumi.com/patchForce"]);
        Assert.Null(program["resources"]![deployment.Name]!["options"]!["ignoreChanges"]);
    }

    [Fact]
    public void A_cron_job_never_overlaps_keeps_history_and_has_deadlines()
    {
        var plan = KubernetesPlans.Compile(SpecWith(ServiceType.Cron, Tier.Prod));
        var spec = plan[ServiceResources.CronJob("svc")].Inputs.At("spec")!;

        Assert.Equal("*/15 * * * *", spec.At("schedule").Text());
        Assert.Equal("Forbid", spec.At("concurrencyPolicy").Text());
        Assert.Equal(WorkloadDefaults.CronSuccessfulJobsHistoryLimit, spec.At("successfulJobsHistoryLimit").Number());
        Assert.Equal(WorkloadDefaults.CronFailedJobsHistoryLimit, spec.At("failedJobsHistoryLimit").Number());
        Assert.Equal(WorkloadDefaults.CronStartingDeadlineSeconds, spec.At("startingDeadlineSeconds").Number());
        Assert.Equal(WorkloadDefaults.CronActiveDeadlineSeconds, spec.At("jobTemplate.spec.activeDeadlineSeconds").Number());
        Assert.Equal(WorkloadDefaults.CronBackoffLimit, spec.At("jobTemplate.spec.backoffLimit").Number());
        Assert.Equal("Never", spec.At("jobTemplate.spec.template.spec.restartPolicy").Text());
        Assert.DoesNotContain(plan.Resources, r => r.Name == ServiceResources.Service("svc") || r.Name == ServiceResources.Ingress("svc"));
    }

    [Theory]
    [InlineData(ServiceType.Web, true)]
    [InlineData(ServiceType.Worker, false)]
    [InlineData(ServiceType.Cron, false)]
    public void Only_web_services_get_a_service_and_ingress(ServiceType type, bool expected)
    {
        var plan = KubernetesPlans.Compile(SpecWith(type, Tier.Staging));

        Assert.Equal(expected, plan.Resources.Any(r => r.Name == ServiceResources.Service("svc")));
        Assert.Equal(expected, plan.Resources.Any(r => r.Name == ServiceResources.Ingress("svc")));
        Assert.Equal(expected, plan.Outputs.Any(o => o.Name == "svcUrl"));
    }

    [Fact]
    public void Service_accounts_mount_no_token_without_cloud_access()
    {
        var plan = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Dev));
        var account = plan[LogicalNames.ServiceAccount("svc")].Inputs;

        Assert.Equal(false, account.At("automountServiceAccountToken").Bool());
        Assert.Null(account.At("metadata.annotations"));
        Assert.Equal(PlanValue.Ref(LogicalNames.ServiceAccount("svc"), "metadata.name"),
            plan[ServiceResources.Deployment("svc")].Inputs.At("spec.template.spec.serviceAccountName"));
    }

    [Fact]
    public void Plain_env_values_go_to_a_config_map_loaded_with_env_from()
    {
        var plan = KubernetesPlans.Compile(SpecWith(ServiceType.Worker, Tier.Dev));
        var config = plan[ServiceResources.ConfigMap("svc")];
        var deployment = plan[ServiceResources.Deployment("svc")];

        Assert.Equal(KubernetesTypes.ConfigMap, config.Type);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "fast" }, config.Inputs.At("data").Strings());
        Assert.Null(config.Inputs.At("metadata.name"));
        Assert.Equal(PlanValue.Ref(ServiceResources.ConfigMap("svc"), "metadata.name"), deployment.Inputs.At("spec.template.spec.containers.0.envFrom.0.configMapRef.name"));
        Assert.Contains(ServiceResources.ConfigMap("svc"), deployment.Dependencies);
        Assert.DoesNotContain(plan.Resources, r => r.Name == ServiceResources.Secret("svc"));
    }

    [Fact]
    public void Changing_the_plain_environment_changes_only_the_config_map_which_pods_load_by_its_generated_name()
    {
        var before = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Dev));
        var after = KubernetesPlans.Compile(SpecWith(ServiceType.Web, Tier.Dev, s => s with { Env = s.Env.SetItem("MODE", EnvValue.Plain("slow")) }));

        // The provider replaces a ConfigMap whose data changed; with no fixed name it is created anew under another
        // name, and the reference below changes the pod template, which rolls the pods. No hash is needed (or wanted).
        Assert.Null(after[ServiceResources.ConfigMap("svc")].Inputs.At("metadata.name"));
        Assert.NotEqual(before[ServiceResources.ConfigMap("svc")].Inputs, after[ServiceResources.ConfigMap("svc")].Inputs);
        Assert.Equal(before[ServiceResources.Deployment("svc")].Inputs, after[ServiceResources.Deployment("svc")].Inputs);
        Assert.Equal(
            PlanValue.Ref(ServiceResources.ConfigMap("svc"), "metadata.name"),
            after[ServiceResources.Deployment("svc")].Inputs.At("spec.template.spec.containers.0.envFrom.0.configMapRef.name"));
        Assert.Equal([Observability.LogRetentionAnnotation], after[ServiceResources.Deployment("svc")].Inputs.At("spec.template.metadata.annotations").Strings().Keys);
    }

    private static decimal Quantity(string text) => new k8s.Models.ResourceQuantity(text).ToDecimal();

    private static string? Render(PlanValue? value) => value switch
    {
        PlanValue.Text t => t.Value,
        PlanValue.Number n => n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
