using System.Collections.Immutable;
using k8s.Models;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>
/// One service's golden path. Every type gets a ServiceAccount, its environment (ConfigMap and Secret), and a
/// NetworkPolicy; <c>web</c> and <c>worker</c> a Deployment (plus HorizontalPodAutoscaler and PodDisruptionBudget as
/// the tier and replica range say); <c>web</c> a Service on port 80 and, with a host, an Ingress; a <c>worker</c> that
/// declares a port a Service on that port; <c>cron</c> a CronJob.
/// </summary>
internal static class ServiceResources
{
    /// <summary>Logical name of a service's Deployment.</summary>
    public static string Deployment(string service) => $"{service}-deployment";

    /// <summary>Logical name of a service's Service.</summary>
    public static string Service(string service) => $"{service}-service";

    /// <summary>Logical name of a service's Ingress.</summary>
    public static string Ingress(string service) => $"{service}-ingress";

    /// <summary>Logical name of a service's HorizontalPodAutoscaler.</summary>
    public static string Autoscaler(string service) => $"{service}-hpa";

    /// <summary>Logical name of a service's PodDisruptionBudget.</summary>
    public static string DisruptionBudget(string service) => $"{service}-pdb";

    /// <summary>Logical name of a service's NetworkPolicy.</summary>
    public static string NetworkPolicy(string service) => $"{service}-network-policy";

    /// <summary>Logical name of a service's ConfigMap of plain env values.</summary>
    public static string ConfigMap(string service) => $"{service}-config";

    /// <summary>Logical name of a service's Secret of secret env values.</summary>
    public static string Secret(string service) => $"{service}-secret";

    /// <summary>Logical name of a service's CronJob.</summary>
    public static string CronJob(string service) => $"{service}-cronjob";

    /// <summary>
    /// Object name of the TLS secret cert-manager fills for a service's Ingress. The environment's other Secrets and
    /// ConfigMaps are autonamed (<c>{logical name}-{random suffix}</c>, e.g. <c>api-secret-1a2b3c4d</c>), which never
    /// ends in <c>-tls</c>, so they never collide with it.
    /// </summary>
    public static string TlsSecretName(string service) => PhysicalName.Create(PhysicalName.KubernetesLabel, service, "tls");

    /// <summary>The public host of a web service: <c>{host}.{environment}.{baseDomain}</c>.</summary>
    public static string? HostOf(PlanContext context, ServiceSpec service) =>
        service.Type == ServiceType.Web && service.Host is { } host ? $"{host}.{context.Spec.Name}.{context.Target.BaseDomain}" : null;

    /// <summary>The environment output holding a web service's URL: <c>{camelCase service}Url</c>.</summary>
    public static string UrlOutput(string service) => $"{Casing.Camel(service)}Url";

    /// <summary>The component type of a service.</summary>
    public static string ComponentType(ServiceType type) => type switch
    {
        ServiceType.Web => KubernetesTypes.WebServiceComponent,
        ServiceType.Worker => KubernetesTypes.WorkerComponent,
        ServiceType.Cron => KubernetesTypes.CronJobComponent,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown service type."),
    };

    public static void Plan(PlanContext context, ServiceSpec service, ImmutableDictionary<(string Service, string Variable), string> secretKeys)
    {
        var builder = context.Builder;
        var name = service.Name;
        builder.AddComponent(name, ComponentType(service.Type));
        var labels = WorkloadLabels.For(context, service);
        // Bucket names are generated and queue URLs exist only after creation: services read every used resource's
        // details from the connection ConfigMap or Secret its kind writes. Sources with generic keys (libpq's PG*)
        // come first, so a resource with prefixed keys never hides behind them.
        var connections = context.GrantsTo(service)
            .Where(g => g.Connection is not null)
            .OrderBy(g => g.Connection!.PrefixWhenSeveral is null ? 1 : 0)
            .ToImmutableArray();

        PlanServiceAccount(context, service, labels, usesCloud: context.NeedsWorkloadIdentity(service));
        var (envFrom, envNames) = PlanEnvironment(context, service, labels, secretKeys, connections);
        var container = PodTemplates.Container(service, ComputeSizing.For(service, context.Profile), envFrom, Observability.Environment(context, service));

        // Every object envFrom loads is referred to by its metadata.name output, which also orders the workload after
        // it (no dependsOn needed) and rolls the pods whenever it is replaced under a new name.
        if (service.Type == ServiceType.Cron)
        {
            PlanCronJob(context, service, labels, container, envNames);
        }
        else
        {
            PlanDeployment(context, service, labels, container, envNames);
        }

        if (service.Type == ServiceType.Web)
        {
            PlanService(context, service, labels, WorkloadDefaults.ServicePort);
            PlanIngress(context, service, labels);
        }
        else if (service.Type == ServiceType.Worker && service.EffectivePort is { } port)
        {
            // A worker that declares a port is there to be called (gRPC, a TCP protocol): the services that use it
            // reach it by name on that port, and pod names are no address (cluster DNS names Services, not pods).
            PlanService(context, service, labels, port);
        }

        Observability.PlanLinks(context, service);

        builder.Add(NetworkPolicy(name), KubernetesTypes.NetworkPolicy, KubernetesInputs.Namespaced(new V1NetworkPolicy
        {
            Metadata = KubernetesPlanner.Metadata(context, name, labels.All),
            Spec = NetworkPolicies.ForService(context, service),
        }), name, KubernetesPlanner.Options);
    }

    // The token is mounted only when the service needs cloud access; everything else never talks to the API server.
    private static void PlanServiceAccount(PlanContext context, ServiceSpec service, WorkloadLabels labels, bool usesCloud)
    {
        var metadata = KubernetesPlanner.Metadata(context, service.Name, labels.All);
        var account = new V1ServiceAccount { Metadata = metadata, AutomountServiceAccountToken = usesCloud };
        PlanValue.Map inputs;
        if (usesCloud)
        {
            // The annotation holds a placeholder in the model; the role's ARN takes its place in the inputs.
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [WorkloadDefaults.RoleArnAnnotation] = "" };
            metadata.Annotations = annotations;
            inputs = KubernetesInputs.Namespaced(account, annotations, WorkloadDefaults.RoleArnAnnotation, PlanValue.Ref(LogicalNames.Role(service.Name), "arn"));
        }
        else
        {
            inputs = KubernetesInputs.Namespaced(account);
        }

        context.Builder.Add(LogicalNames.ServiceAccount(service.Name), KubernetesTypes.ServiceAccount, inputs, service.Name, KubernetesPlanner.Options);
    }

    // Plain values go to a ConfigMap; secret values to a Secret whose data reads secret stack config, so the value
    // itself is never in the program. Both, and each used resource's connection ConfigMap or Secret, are loaded with
    // envFrom by their metadata.name outputs: all are autonamed (KubernetesPlanner.AutonamedMetadata), so changing a
    // value, plain or secret, replaces the object under a new name and rolls the pods.
    private static (List<V1EnvFromSource> EnvFrom, List<KubernetesInputs.KeyReplacement> Names) PlanEnvironment(
        PlanContext context,
        ServiceSpec service,
        WorkloadLabels labels,
        ImmutableDictionary<(string Service, string Variable), string> secretKeys,
        ImmutableArray<Planning.ResourceGrant> sources)
    {
        var builder = context.Builder;
        var name = service.Name;
        var names = new List<KubernetesInputs.KeyReplacement>(sources.Length + 2);

        // Connection details come first so the service's own variables win a name clash (later sources override).
        // One database keeps libpq's plain PGHOST…; with several, each is prefixed (ORDERS_DB_PGHOST) so none hides another.
        var envFrom = new List<V1EnvFromSource>(sources.Length + 2);
        var generic = 0;
        foreach (var source in sources)
        {
            generic += source.Connection!.PrefixWhenSeveral is null ? 0 : 1;
        }

        foreach (var source in sources)
        {
            var connection = source.Connection!;
            envFrom.Add(LoadByName(connection.LogicalName, connection.IsSecret, generic > 1 ? connection.PrefixWhenSeveral : null, names));
        }

        // One pass over the variables, in their (sorted) order, without an iterator chain per kind.
        List<KeyValuePair<string, string>>? plain = null;
        List<KeyValuePair<string, EnvValue>>? secrets = null;
        foreach (var variable in service.Env)
        {
            if (variable.Value.IsSecret)
            {
                (secrets ??= []).Add(variable);
            }
            else
            {
                (plain ??= []).Add(KeyValuePair.Create(variable.Key, variable.Value.Value));
            }
        }

        if (plain is not null)
        {
            var configMap = ConfigMap(name);
            builder.Add(configMap, KubernetesTypes.ConfigMap, KubernetesInputs.Namespaced(new V1ConfigMap
            {
                Metadata = KubernetesPlanner.AutonamedMetadata(context, labels.All),
                Data = new Dictionary<string, string>(plain, StringComparer.Ordinal),
            }), name, KubernetesPlanner.Options);
            envFrom.Add(LoadByName(configMap, isSecret: false, prefix: null, names));
        }

        if (secrets is not null)
        {
            var stringData = PlanValue.Map.Empty;
            foreach (var (variable, value) in secrets)
            {
                var key = secretKeys[(name, variable)];
                builder.AddConfig(
                    new PlanConfigEntry(key, "string", Secret: true, $"Secret environment variable {variable} of service {name}.", null),
                    new StackConfigValue(value.Value, Secret: true));
                stringData = stringData.With("", PlanValue.SecretOf(PlanValue.Config(key)), variable);
            }

            var inputs = KubernetesInputs.Namespaced(new V1Secret
            {
                Metadata = KubernetesPlanner.AutonamedMetadata(context, labels.All),
                Type = "Opaque",
            }).With("stringData", stringData);
            var secret = Secret(name);
            builder.Add(secret, KubernetesTypes.Secret, inputs, name, KubernetesPlanner.Options);
            envFrom.Add(LoadByName(secret, isSecret: true, prefix: null, names));
        }

        return (envFrom, names);
    }

    // An envFrom source naming the object by its metadata.name output. The model holds the logical name as a
    // placeholder; `names` records the reference that takes its place in the workload's inputs.
    private static V1EnvFromSource LoadByName(string logicalName, bool isSecret, string? prefix, List<KubernetesInputs.KeyReplacement> names)
    {
        var source = new V1EnvFromSource { Prefix = prefix };
        object owner = isSecret
            ? source.SecretRef = new V1SecretEnvSource { Name = logicalName }
            : source.ConfigMapRef = new V1ConfigMapEnvSource { Name = logicalName };
        names.Add(new KubernetesInputs.KeyReplacement(owner, "name", SharedValues.Current?.NameOf(logicalName) ?? PlanValue.Ref(logicalName, "metadata.name")));
        return source;
    }

    private static V1PodTemplateSpec PodTemplate(PlanContext context, WorkloadLabels labels, V1PodSpec spec) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels.Workload, Annotations = Observability.PodAnnotations(context) },
        Spec = spec,
    };

    // The pod spec's service account and every envFrom object by their metadata.name outputs.
    private static List<KubernetesInputs.KeyReplacement> PodReferences(V1PodSpec podSpec, string service, List<KubernetesInputs.KeyReplacement> envNames) =>
        [new(podSpec, "serviceAccountName", PlanValue.Ref(LogicalNames.ServiceAccount(service), "metadata.name")), .. envNames];

    private static void PlanDeployment(PlanContext context, ServiceSpec service, WorkloadLabels labels, V1Container container, List<KubernetesInputs.KeyReplacement> envNames)
    {
        var builder = context.Builder;
        var profile = context.Profile;
        var name = service.Name;
        var replicas = service.Replicas ?? profile.DefaultReplicas;
        var autoscaled = replicas.Max > replicas.Min;
        var selector = new V1LabelSelector { MatchLabels = labels.Selector };
        var podSpec = PodTemplates.PodSpec(container, name, labels.Selector, profile.ZoneSpread, restartPolicy: null);

        var metadata = KubernetesPlanner.Metadata(context, name, labels.Workload);
        if (!autoscaled)
        {
            // A fixed count is ours alone: after autoscaling is turned off, spec.replicas still belongs to the
            // autoscaler's last write (kube-controller-manager), and a server-side apply that sets it without force
            // fails with a field conflict.
            metadata.Annotations = new Dictionary<string, string>(1, StringComparer.Ordinal) { [WorkloadDefaults.PatchForceAnnotation] = "true" };
        }

        var deployment = new V1Deployment
        {
            Metadata = metadata,
            Spec = new V1DeploymentSpec
            {
                // An autoscaled Deployment starts at the minimum and then belongs to the autoscaler: updates ignore
                // spec.replicas (options below). Leaving the field out instead would hand a Deployment that had a
                // fixed count back to the API server's default of 1 on the update that adds the autoscaler, before
                // the autoscaler acts (a 4-replica prod service would drop to one).
                Replicas = replicas.Min,
                RevisionHistoryLimit = WorkloadDefaults.RevisionHistoryLimit,
                Selector = selector,
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = profile.RollingMaxSurge, MaxUnavailable = profile.RollingMaxUnavailable },
                },
                Template = PodTemplate(context, labels, podSpec),
            },
        };
        var inputs = KubernetesInputs.Namespaced(deployment, PodReferences(podSpec, name, envNames));
        builder.Add(Deployment(name), KubernetesTypes.Deployment, inputs, name,
            autoscaled ? KubernetesPlanner.Options with { IgnoreChanges = [WorkloadDefaults.ReplicasPath] } : KubernetesPlanner.Options);

        if (autoscaled)
        {
            var target = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name };
            var autoscaler = KubernetesInputs.Namespaced(new V2HorizontalPodAutoscaler
            {
                Metadata = KubernetesPlanner.Metadata(context, name, labels.All),
                Spec = new V2HorizontalPodAutoscalerSpec
                {
                    ScaleTargetRef = target,
                    MinReplicas = replicas.Min,
                    MaxReplicas = replicas.Max,
                    Metrics =
                    [
                        new V2MetricSpec
                        {
                            Type = "Resource",
                            Resource = new V2ResourceMetricSource
                            {
                                Name = "cpu",
                                Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = profile.TargetCpuUtilization },
                            },
                        },
                    ],
                },
            }, target, "name", PlanValue.Ref(Deployment(name), "metadata.name"));
            builder.Add(Autoscaler(name), KubernetesTypes.HorizontalPodAutoscaler, autoscaler, name, KubernetesPlanner.Options);
        }

        if (profile.DisruptionBudget)
        {
            builder.Add(DisruptionBudget(name), KubernetesTypes.PodDisruptionBudget, KubernetesInputs.Namespaced(new V1PodDisruptionBudget
            {
                Metadata = KubernetesPlanner.Metadata(context, name, labels.All),
                Spec = new V1PodDisruptionBudgetSpec
                {
                    MaxUnavailable = WorkloadDefaults.DisruptionMaxUnavailable,
                    Selector = selector,
                    // Pods that are not ready serve nothing; letting drains evict them keeps a crash-looping
                    // release from blocking node maintenance.
                    UnhealthyPodEvictionPolicy = "AlwaysAllow",
                },
            }), name, KubernetesPlanner.Options);
        }
    }

    private static void PlanCronJob(PlanContext context, ServiceSpec service, WorkloadLabels labels, V1Container container, List<KubernetesInputs.KeyReplacement> envNames)
    {
        var name = service.Name;
        var schedule = service.Schedule
            ?? throw new InvalidOperationException($"Service '{name}' is a cron job without a schedule; the spec validator should have rejected it.");
        var podSpec = PodTemplates.PodSpec(container, name, labels.Selector, zoneSpread: false, restartPolicy: "Never");
        var cronJob = new V1CronJob
        {
            Metadata = KubernetesPlanner.Metadata(context, name, labels.Workload),
            Spec = new V1CronJobSpec
            {
                Schedule = schedule,
                TimeZone = WorkloadDefaults.CronTimeZone,
                // A run never starts while the previous one is still going.
                ConcurrencyPolicy = "Forbid",
                StartingDeadlineSeconds = WorkloadDefaults.CronStartingDeadlineSeconds,
                SuccessfulJobsHistoryLimit = WorkloadDefaults.CronSuccessfulJobsHistoryLimit,
                FailedJobsHistoryLimit = WorkloadDefaults.CronFailedJobsHistoryLimit,
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels.Workload },
                    Spec = new V1JobSpec
                    {
                        ActiveDeadlineSeconds = WorkloadDefaults.CronActiveDeadlineSeconds,
                        BackoffLimit = WorkloadDefaults.CronBackoffLimit,
                        // Never: a failed run's pod stays for its logs, and each retry is a new pod counted by backoffLimit.
                        Template = PodTemplate(context, labels, podSpec),
                    },
                },
            },
        };
        var inputs = KubernetesInputs.Namespaced(cronJob, PodReferences(podSpec, name, envNames));
        context.Builder.Add(CronJob(name), KubernetesTypes.CronJob, inputs, name, KubernetesPlanner.Options);
    }

    // A cluster-internal Service named after the service: web services on port 80 (http://<name>), workers on their own port.
    private static void PlanService(PlanContext context, ServiceSpec service, WorkloadLabels labels, int port)
    {
        var name = service.Name;
        context.Builder.Add(Service(name), KubernetesTypes.Service, KubernetesInputs.Namespaced(new V1Service
        {
            Metadata = KubernetesPlanner.Metadata(context, name, labels.All),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = labels.Selector,
                Ports = [new V1ServicePort { Name = WorkloadDefaults.PortName, Port = port, TargetPort = WorkloadDefaults.PortName, Protocol = "TCP" }],
            },
        }), name, KubernetesPlanner.Options);
    }

    private static void PlanIngress(PlanContext context, ServiceSpec service, WorkloadLabels labels)
    {
        var builder = context.Builder;
        var name = service.Name;
        if (HostOf(context, service) is not { } host)
        {
            return;
        }

        var metadata = KubernetesPlanner.Metadata(context, name, labels.All);
        metadata.Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WorkloadDefaults.ClusterIssuerAnnotation] = context.Target.CertificateIssuer,
        };
        builder.Add(Ingress(name), KubernetesTypes.Ingress, KubernetesInputs.Namespaced(new V1Ingress
        {
            Metadata = metadata,
            Spec = new V1IngressSpec
            {
                IngressClassName = context.Target.IngressClass,
                Tls = [new V1IngressTLS { Hosts = [host], SecretName = TlsSecretName(name) }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Name = WorkloadDefaults.PortName } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        }), name, KubernetesPlanner.Options with { DependsOn = [Service(name)] });
        builder.AddOutput(UrlOutput(name), $"https://{host}", name);
    }
}
