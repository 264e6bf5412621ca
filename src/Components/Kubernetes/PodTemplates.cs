using k8s.Models;
using Platform.Components.Specs;

namespace Platform.Components.Kubernetes;

/// <summary>The pod and container every workload type shares: hardened security context, probes, sizing, scratch space.</summary>
internal static class PodTemplates
{
    private const string RuntimeDefault = "RuntimeDefault";

    /// <summary>Pod-level security: non-root with a fixed UID/GID, seccomp <c>RuntimeDefault</c> (Pod Security "restricted").</summary>
    public static V1PodSecurityContext PodSecurity() => new()
    {
        RunAsNonRoot = true,
        RunAsUser = WorkloadDefaults.RunAsUser,
        RunAsGroup = WorkloadDefaults.RunAsUser,
        FsGroup = WorkloadDefaults.RunAsUser,
        SeccompProfile = new V1SeccompProfile { Type = RuntimeDefault },
    };

    /// <summary>
    /// Container-level security, repeated from the pod level where the API allows it so the container is locked down
    /// even if copied elsewhere: read-only root filesystem, no privilege escalation, every capability dropped.
    /// </summary>
    public static V1SecurityContext ContainerSecurity() => new()
    {
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        Privileged = false,
        ReadOnlyRootFilesystem = true,
        RunAsNonRoot = true,
        SeccompProfile = new V1SeccompProfile { Type = RuntimeDefault },
    };

    /// <summary>The workload's probes: HTTP for web services, TCP for workers that declare a port, none otherwise.</summary>
    public static Probes ProbesFor(ServiceSpec service)
    {
        if (service.Type == ServiceType.Cron || service.EffectivePort is null)
        {
            return Probes.None;
        }

        Func<V1Probe> probe = service.Type == ServiceType.Web
            ? () => new V1Probe { HttpGet = new V1HTTPGetAction { Path = service.HealthPath ?? ServiceSpec.DefaultHealthPath, Port = WorkloadDefaults.PortName } }
            : () => new V1Probe { TcpSocket = new V1TCPSocketAction { Port = WorkloadDefaults.PortName } };

        // The startup probe holds off the others until the process is up, so liveness can be strict without
        // killing slow starters.
        var startup = probe();
        startup.PeriodSeconds = WorkloadDefaults.StartupPeriodSeconds;
        startup.TimeoutSeconds = WorkloadDefaults.ProbeTimeoutSeconds;
        startup.FailureThreshold = WorkloadDefaults.StartupFailureThreshold;
        var readiness = probe();
        readiness.PeriodSeconds = WorkloadDefaults.ProbePeriodSeconds;
        readiness.TimeoutSeconds = WorkloadDefaults.ProbeTimeoutSeconds;
        readiness.FailureThreshold = WorkloadDefaults.ReadinessFailureThreshold;
        var liveness = probe();
        liveness.PeriodSeconds = WorkloadDefaults.ProbePeriodSeconds;
        liveness.TimeoutSeconds = WorkloadDefaults.ProbeTimeoutSeconds;
        liveness.FailureThreshold = WorkloadDefaults.LivenessFailureThreshold;
        return new Probes(startup, readiness, liveness);
    }

    /// <summary>The service's one container.</summary>
    /// <param name="service">The service.</param>
    /// <param name="sizing">Requests and limits.</param>
    /// <param name="envFrom">ConfigMaps and Secrets loaded whole.</param>
    /// <param name="env">Variables the platform sets (OpenTelemetry identity); they win over <paramref name="envFrom"/>.</param>
    public static V1Container Container(ServiceSpec service, ComputeSizing sizing, IReadOnlyList<V1EnvFromSource> envFrom, IReadOnlyList<V1EnvVar> env)
    {
        var probes = ProbesFor(service);
        return new V1Container
        {
            Name = service.Name,
            Image = service.Image,
            // Images are pinned by tag or digest, so a node's cached copy is the right one.
            ImagePullPolicy = "IfNotPresent",
            Command = service.Command.IsDefaultOrEmpty ? null : [.. service.Command],
            Args = service.Args.IsDefaultOrEmpty ? null : [.. service.Args],
            Ports = service.EffectivePort is { } port
                ? [new V1ContainerPort { Name = WorkloadDefaults.PortName, ContainerPort = port, Protocol = "TCP" }]
                : null,
            EnvFrom = envFrom.Count == 0 ? null : [.. envFrom],
            Env = env.Count == 0 ? null : [.. env],
            Resources = sizing.ToRequirements(),
            StartupProbe = probes.Startup,
            ReadinessProbe = probes.Readiness,
            LivenessProbe = probes.Liveness,
            SecurityContext = ContainerSecurity(),
            VolumeMounts = [new V1VolumeMount { Name = WorkloadDefaults.TempVolume, MountPath = WorkloadDefaults.TempMountPath }],
        };
    }

    /// <summary>The pod spec around <paramref name="container"/>.</summary>
    /// <param name="container">The service's container.</param>
    /// <param name="serviceAccountName">The service account (a placeholder the planner replaces with a reference).</param>
    /// <param name="selector">Labels selecting the service's pods, for topology spread.</param>
    /// <param name="zoneSpread">Whether to spread pods across zones.</param>
    /// <param name="restartPolicy">Restart policy; <see langword="null"/> keeps the API default (<c>Always</c>).</param>
    public static V1PodSpec PodSpec(
        V1Container container,
        string serviceAccountName,
        SharedLabels selector,
        bool zoneSpread,
        string? restartPolicy) => new()
        {
            ServiceAccountName = serviceAccountName,
            // Service links put every other Service's address into the environment: noise, and a startup cost.
            EnableServiceLinks = false,
            RestartPolicy = restartPolicy,
            SecurityContext = PodSecurity(),
            Containers = [container],
            Volumes =
            [
                new V1Volume
                {
                    Name = WorkloadDefaults.TempVolume,
                    EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = ComputeSizing.Quantity(WorkloadDefaults.TempSizeLimit) },
                },
            ],
            TopologySpreadConstraints = zoneSpread
                ?
                [
                    new V1TopologySpreadConstraint
                    {
                        MaxSkew = WorkloadDefaults.ZoneSpreadMaxSkew,
                        TopologyKey = WorkloadDefaults.ZoneTopologyKey,
                        WhenUnsatisfiable = WorkloadDefaults.ZoneSpreadWhenUnsatisfiable,
                        LabelSelector = new V1LabelSelector { MatchLabels = selector },
                        // Spread each rollout's new pods on their own, not counting the old ReplicaSet's pods.
                        MatchLabelKeys = ["pod-template-hash"],
                    },
                ]
                : null,
        };
}

/// <summary>A container's probes; any may be absent.</summary>
internal sealed record Probes(V1Probe? Startup, V1Probe? Readiness, V1Probe? Liveness)
{
    /// <summary>No probes.</summary>
    public static Probes None { get; } = new(null, null, null);
}
