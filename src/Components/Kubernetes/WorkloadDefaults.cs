namespace Platform.Components.Kubernetes;

/// <summary>
/// Settings of the Kubernetes golden paths that do not vary by tier (tier-dependent values live only in
/// <see cref="Tiers.TierProfile"/>). Each is a deliberate choice; the reason is next to it.
/// </summary>
internal static class WorkloadDefaults
{
    /// <summary>
    /// UID and GID containers run as: 10001, a non-root ID above the ranges distributions give system users and
    /// regular users (0–999, 1000–9999), so it never maps to an account in the image or on the node. The pod's
    /// <c>fsGroup</c> is the same, so mounted volumes are writable by the process.
    /// </summary>
    public const long RunAsUser = 10001;

    /// <summary>Where the writable scratch volume is mounted (the root filesystem is read-only).</summary>
    public const string TempMountPath = "/tmp";

    /// <summary>Name of the scratch volume.</summary>
    public const string TempVolume = "tmp";

    /// <summary>
    /// Size limit of the scratch volume: 512Mi. Without a limit an <c>emptyDir</c> can fill the node's disk; the
    /// kubelet evicts a pod that writes more.
    /// </summary>
    public const string TempSizeLimit = "512Mi";

    /// <summary>Name of the container port and Service port (probes, Ingress and policies refer to it).</summary>
    public const string PortName = "http";

    /// <summary>The Service's port: 80, so callers use <c>http://service</c> whatever port the container listens on.</summary>
    public const int ServicePort = 80;

    /// <summary>Seconds between startup probes: 5.</summary>
    public const int StartupPeriodSeconds = 5;

    /// <summary>Failed startup probes before the container is restarted: 30, so a service gets 150 s to start.</summary>
    public const int StartupFailureThreshold = 30;

    /// <summary>Seconds between readiness and liveness probes: 10.</summary>
    public const int ProbePeriodSeconds = 10;

    /// <summary>Seconds a probe may take: 2. A health endpoint slower than that is not healthy.</summary>
    public const int ProbeTimeoutSeconds = 2;

    /// <summary>Failed readiness probes before a pod leaves its Service's endpoints: 3.</summary>
    public const int ReadinessFailureThreshold = 3;

    /// <summary>Failed liveness probes before a container is restarted: 3 (30 s of failing).</summary>
    public const int LivenessFailureThreshold = 3;

    /// <summary>Old ReplicaSets kept for <c>kubectl rollout undo</c>: 5.</summary>
    public const int RevisionHistoryLimit = 5;

    /// <summary>
    /// Zone topology spread is <c>ScheduleAnyway</c> in every tier that spreads: the scheduler still places pods
    /// evenly, but a zone without capacity never blocks a rollout's surge pods or an autoscaler's scale-up during an
    /// incident. Availability through a zone loss comes from the replica minimum and the PodDisruptionBudget.
    /// </summary>
    public const string ZoneSpreadWhenUnsatisfiable = "ScheduleAnyway";

    /// <summary>Largest allowed difference in pod count between two zones: 1.</summary>
    public const int ZoneSpreadMaxSkew = 1;

    /// <summary>The well-known node label of a node's zone.</summary>
    public const string ZoneTopologyKey = "topology.kubernetes.io/zone";

    /// <summary>PodDisruptionBudget <c>maxUnavailable</c>: 1, so a node drain takes pods one at a time.</summary>
    public const int DisruptionMaxUnavailable = 1;

    /// <summary>Successful jobs a CronJob keeps: 3.</summary>
    public const int CronSuccessfulJobsHistoryLimit = 3;

    /// <summary>Failed jobs a CronJob keeps: 5, so the logs of recent failures stay readable.</summary>
    public const int CronFailedJobsHistoryLimit = 5;

    /// <summary>Seconds a missed schedule may still start late: 300. After that the run is skipped and counted missed.</summary>
    public const long CronStartingDeadlineSeconds = 300;

    /// <summary>Seconds a job run may take before it is stopped: 3600.</summary>
    public const long CronActiveDeadlineSeconds = 3600;

    /// <summary>Retries of a failed job run: 2.</summary>
    public const int CronBackoffLimit = 2;

    /// <summary>Time zone of cron schedules: UTC, stated explicitly so it never depends on the controller's zone.</summary>
    public const string CronTimeZone = "Etc/UTC";

    /// <summary>Namespace of the cluster DNS (egress to it on port 53 is allowed for every service).</summary>
    public const string DnsNamespace = "kube-system";

    /// <summary>HTTPS port of the cloud APIs.</summary>
    public const int HttpsPort = 443;

    /// <summary>
    /// Where databases may be when the target names no VPC CIDR: the RFC 1918 private ranges. A target with
    /// <c>vpcCidr</c> narrows database egress to its VPC.
    /// </summary>
    public static IReadOnlyList<string> PrivateRanges { get; } = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

    /// <summary>
    /// Where cloud APIs are: anywhere. AWS service endpoints have no stable address ranges a policy could name, so
    /// HTTPS egress is open when (and only when) a service uses a cloud resource.
    /// </summary>
    public const string AnyAddress = "0.0.0.0/0";

    /// <summary>Annotation that binds a service account to an IAM role (EKS IAM roles for service accounts).</summary>
    public const string RoleArnAnnotation = "eks.amazonaws.com/role-arn";

    /// <summary>Annotation that makes cert-manager issue an Ingress's TLS certificate.</summary>
    public const string ClusterIssuerAnnotation = "cert-manager.io/cluster-issuer";

    /// <summary>
    /// The autoscaled Deployment's replica count, ignored on update. Pulumi's engine then keeps the value the last
    /// update gave (pulumi/pulumi, pkg/resource/deploy/step_generator.go processIgnoreChanges and
    /// sdk/go/common/resource/properties_path.go Reset), and the Kubernetes provider, under server-side apply, drops
    /// the field once another manager (the autoscaler) owns it or sends the live value while Pulumi still does
    /// (pulumi/pulumi-kubernetes, provider/pkg/await/await.go handleSSAIgnoreFields). So neither a deploy nor the
    /// switch from a fixed count to autoscaling resets the count the autoscaler or the old fixed count set.
    /// </summary>
    public const string ReplicasPath = "spec.replicas";

    /// <summary>
    /// Annotation that makes the Kubernetes provider's server-side apply overwrite fields another manager owns
    /// (pulumi/pulumi-kubernetes, provider/pkg/metadata/annotations.go AnnotationPatchForce, read by patchForce in
    /// provider/pkg/await/await.go).
    /// </summary>
    public const string PatchForceAnnotation = "pulumi.com/patchForce";

    /// <summary>
    /// Service names the Kubernetes golden paths cannot take: a service's NetworkPolicy is named after it, and these
    /// are the namespace's own policies. The spec validator should reject them; the planner refuses them.
    /// </summary>
    public static IReadOnlyList<string> ReservedServiceNames { get; } = [DefaultDenyPolicyName, AcmeSolverPolicyName];

    /// <summary>Object name of the NetworkPolicy admitting cert-manager's HTTP-01 challenge solvers.</summary>
    public const string AcmeSolverPolicyName = "acme-http01-solver";

    /// <summary>Object name of the namespace's default-deny NetworkPolicy.</summary>
    public const string DefaultDenyPolicyName = "default-deny";

    /// <summary>Pod Security Standard every namespace enforces.</summary>
    public const string PodSecurityLevel = "restricted";
}
