using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>Observability by default: OpenTelemetry variables, log retention and links, for every workload type and tier.</summary>
public sealed class ObservabilityTests
{
    private static readonly DeploymentTarget Observed = DeploymentTarget.Default with
    {
        Telemetry = new TelemetrySettings
        {
            OtlpEndpoint = "http://otel-collector.observability.svc:4317",
            CollectorNamespace = "observability",
            LogsUrl = "https://grafana.example.com/explore?query={namespace=\"{namespace}\",app=\"{service}\"}",
            MetricsUrl = "https://app.datadoghq.example/dashboard?tpl_var_service={service}&tpl_var_env={environment}&team={team}",
            TracesUrl = "https://console.aws.example/cloudwatch/home#xray:traces?filter=service(\"{service}\")&tier={tier}&v={version}",
        },
    };

    private static string WorkloadOf(ServiceType type) => type == ServiceType.Cron ? ServiceResources.CronJob("svc") : ServiceResources.Deployment("svc");

    private static PlanValue Pod(ResourcePlan plan, ServiceType type) => type == ServiceType.Cron
        ? plan[WorkloadOf(type)].Inputs.At("spec.jobTemplate.spec.template")!
        : plan[WorkloadOf(type)].Inputs.At("spec.template")!;

    private static ImmutableSortedDictionary<string, string> Env(ResourcePlan plan, ServiceType type) =>
        Pod(plan, type).At("spec.containers.0.env").Items()
            .ToImmutableSortedDictionary(v => v.At("name").Text()!, v => v.At("value").Text()!, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(WorkloadTests.TypesAndTiers), MemberType = typeof(WorkloadTests))]
    public void Every_workload_gets_its_OpenTelemetry_identity(ServiceType type, Tier tier)
    {
        var spec = WorkloadTests.SpecWith(type, tier);
        var env = Env(KubernetesPlans.Compile(spec), type);

        var tierName = Ownership.TierName(tier);
        Assert.Equal("svc", env["OTEL_SERVICE_NAME"]);
        Assert.Equal(
            $"service.namespace={spec.Name},service.version=3.1.0,deployment.environment={tierName},deployment.environment.name={tierName},team=retail,tier={tierName}",
            env["OTEL_RESOURCE_ATTRIBUTES"]);

        // No collector named: nothing to export to, so the SDKs' exporters stay at their defaults.
        Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_PROTOCOL"));
    }

    [Theory]
    [MemberData(nameof(WorkloadTests.TypesAndTiers), MemberType = typeof(WorkloadTests))]
    public void A_target_with_a_collector_adds_the_OTLP_endpoint_and_protocol_and_opens_egress_to_it(ServiceType type, Tier tier)
    {
        var plan = KubernetesPlans.Compile(WorkloadTests.SpecWith(type, tier), Observed);
        var env = Env(plan, type);

        Assert.Equal("http://otel-collector.observability.svc:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var egress = plan[ServiceResources.NetworkPolicy("svc")].Inputs.At("spec.egress").Items();
        Assert.Contains(egress, rule =>
            rule.At("to.0.namespaceSelector.matchLabels").Key("kubernetes.io/metadata.name").Text() == "observability" &&
            rule.At("ports.0.port").Number() == 4317);
    }

    [Theory]
    [MemberData(nameof(WorkloadTests.TypesAndTiers), MemberType = typeof(WorkloadTests))]
    public void Pods_carry_the_tier_log_retention(ServiceType type, Tier tier)
    {
        var pod = Pod(KubernetesPlans.Compile(WorkloadTests.SpecWith(type, tier)), type);

        Assert.Equal(
            TierProfile.For(tier).LogRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            pod.At("metadata.annotations").Key("platform.io/log-retention-days").Text());
    }

    [Theory]
    [MemberData(nameof(WorkloadTests.TypesAndTiers), MemberType = typeof(WorkloadTests))]
    public void Outputs_link_each_service_to_its_logs_metrics_and_traces(ServiceType type, Tier tier)
    {
        var spec = WorkloadTests.SpecWith(type, tier);
        var outputs = KubernetesPlans.Compile(spec, Observed).Outputs.ToDictionary(o => o.Name, o => o.Value.Text());

        Assert.Equal($"https://grafana.example.com/explore?query={{namespace=\"{spec.Name}\",app=\"svc\"}}", outputs["svcLogsUrl"]);
        Assert.Equal($"https://app.datadoghq.example/dashboard?tpl_var_service=svc&tpl_var_env={spec.Name}&team=retail", outputs["svcMetricsUrl"]);
        Assert.Equal($"https://console.aws.example/cloudwatch/home#xray:traces?filter=service(\"svc\")&tier={Ownership.TierName(tier)}&v=3.1.0", outputs["svcTracesUrl"]);
        Assert.Equal("https://grafana.example.com/explore?query={namespace=\"" + spec.Name + "\",app=\"backend\"}", outputs["backendLogsUrl"]);
    }

    [Fact]
    public void Without_link_templates_there_are_no_link_outputs()
    {
        var outputs = KubernetesPlans.Compile(WorkloadTests.SpecWith(ServiceType.Web, Tier.Staging)).Outputs;

        Assert.DoesNotContain(outputs, o => o.Name.EndsWith("LogsUrl", StringComparison.Ordinal) || o.Name.EndsWith("TracesUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_variable_the_service_sets_itself_is_left_to_it()
    {
        var spec = WorkloadTests.SpecWith(ServiceType.Worker, Tier.Dev, s => s with
        {
            Env = s.Env.Add("OTEL_SERVICE_NAME", EnvValue.Plain("legacy-name")),
        });
        var env = Env(KubernetesPlans.Compile(spec, Observed), ServiceType.Worker);

        Assert.False(env.ContainsKey("OTEL_SERVICE_NAME"));
        Assert.True(env.ContainsKey("OTEL_RESOURCE_ATTRIBUTES"));
    }

    [Fact]
    public void Attribute_values_are_percent_encoded()
    {
        var spec = WorkloadTests.SpecWith(ServiceType.Worker, Tier.Dev, s => s with { Image = "registry.example.com/team/svc:1.0+build,7" });
        var attributes = Env(KubernetesPlans.Compile(spec), ServiceType.Worker)["OTEL_RESOURCE_ATTRIBUTES"];

        Assert.Contains("service.version=1.0-build-7,", attributes, StringComparison.Ordinal);
        Assert.Equal(6, attributes.Split(',').Length);
    }

    [Theory]
    [InlineData(ServiceType.Web)]
    [InlineData(ServiceType.Worker)]
    [InlineData(ServiceType.Cron)]
    public void A_new_image_changes_only_that_services_workload(ServiceType type)
    {
        var before = WorkloadTests.SpecWith(type, Tier.Staging);
        var after = before with { Services = [before.Services[0] with { Image = "registry.example.com/team/svc:3.2.0" }, before.Services[1]] };
        var old = KubernetesPlans.Compile(before, Observed).Resources.ToDictionary(r => r.Name);

        var changed = KubernetesPlans.Compile(after, Observed).Resources.Where(r => !old[r.Name].Equals(r)).Select(r => r.Name);

        Assert.Equal([WorkloadOf(type)], changed);
    }

    [Fact]
    public void Targets_file_reads_telemetry_settings()
    {
        var settings = TargetSettings.Parse("""
            targets:
              eu:
                telemetry:
                  otlpEndpoint: https://collector.example.com:4318
                  otlpProtocol: http/protobuf
                  collectorNamespace: otel
                  links:
                    logs: https://logs.example.com/{environment}/{service}
            """);

        Assert.True(settings.TryGet("eu", out var target));
        Assert.Equal("https://collector.example.com:4318", target.Telemetry.OtlpEndpoint);
        Assert.Equal("http/protobuf", target.Telemetry.OtlpProtocol);
        Assert.Equal(4318, target.Telemetry.OtlpPort);
        Assert.Equal("otel", target.Telemetry.CollectorNamespace);
        Assert.Equal("https://logs.example.com/{environment}/{service}", target.Telemetry.LogsUrl);
        Assert.Null(target.Telemetry.TracesUrl);
    }

    [Theory]
    [InlineData("http://otel-collector.observability.svc:4317", null, "observability", 4317)]
    [InlineData("https://otel.telemetry.svc.cluster.local:4318", null, "telemetry", 4318)]
    [InlineData("http://otel-collector.observability.svc:4317", "otel", "otel", 4317)]
    [InlineData("http://otel-collector:4317", "observability", "observability", 4317)]
    public void Egress_opens_to_the_named_collector_namespace_or_the_one_a_service_address_names(string endpoint, string? named, string opened, int port)
    {
        var target = DeploymentTarget.Default with { Telemetry = new TelemetrySettings { OtlpEndpoint = endpoint, CollectorNamespace = named } };
        target.Telemetry.Validate("eu");
        var plan = KubernetesPlans.Compile(WorkloadTests.SpecWith(ServiceType.Worker, Tier.Dev), target);

        var egress = plan[ServiceResources.NetworkPolicy("svc")].Inputs.At("spec.egress").Items();
        var telemetry = Assert.Single(egress, rule => rule.At("ports.0.port").Number() == port);
        Assert.Equal(opened, telemetry.At("to.0.namespaceSelector.matchLabels").Key("kubernetes.io/metadata.name").Text());
    }

    // An endpoint that names no namespace opens none (a collector outside the cluster is not a namespace).
    [Theory]
    [InlineData("http://otel-collector:4317")]
    [InlineData("http://otel-collector.observability:4317")]
    [InlineData("https://collector.example.com:4318")]
    public void An_endpoint_that_names_no_namespace_opens_none(string endpoint)
    {
        var target = DeploymentTarget.Default with { Telemetry = new TelemetrySettings { OtlpEndpoint = endpoint } };
        var plan = KubernetesPlans.Compile(WorkloadTests.SpecWith(ServiceType.Worker, Tier.Dev), target);

        Assert.Null(target.Telemetry.EgressNamespace);
        var egress = plan[ServiceResources.NetworkPolicy("svc")].Inputs.At("spec.egress").Items();
        Assert.DoesNotContain(egress, rule => rule.At("ports.0.port").Number() is 4317 or 4318);
    }

    [Theory]
    [InlineData("{ otlpEndpoint: 'collector:4317' }", "targets.eu.telemetry.otlpEndpoint")]
    [InlineData("{ otlpEndpoint: 'http://c:4317', otlpProtocol: udp }", "targets.eu.telemetry.otlpProtocol")]
    [InlineData("{ links: { traces: '/relative/{service}' } }", "targets.eu.telemetry.links.traces")]
    public void Malformed_telemetry_settings_name_the_field(string telemetry, string field)
    {
        var error = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() => TargetSettings.Parse($"targets:\n  eu:\n    telemetry: {telemetry}\n"));

        Assert.StartsWith(field, error.Message, StringComparison.Ordinal);
    }
}
