using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Platform.Components.Settings;
using Platform.Components.Specs;

namespace Platform.Components.Targets;

/// <summary>
/// The platform team's deployment targets, read from a YAML or JSON file shared by the CLI and the Automation API:
/// <code>
/// targets:
///   eu-staging:
///     kubeContext: eks-eu-staging
///     awsRegion: eu-west-1
///     baseDomain: staging.example.com
///     vpcId: vpc-0abc
///     privateSubnetIds: [subnet-1, subnet-2]
///     clusterSecurityGroupId: sg-0abc
///     oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC
///     oidcProviderUrl: oidc.eks.eu-west-1.amazonaws.com/id/ABC
/// </code>
/// A target named <c>default</c> always exists; when the file does not define it, it has no configuration.
/// </summary>
public sealed class TargetSettings
{
    private readonly ImmutableSortedDictionary<string, DeploymentTarget> _targets;

    private TargetSettings(ImmutableSortedDictionary<string, DeploymentTarget> targets)
    {
        _targets = targets.ContainsKey(EnvironmentSpec.DefaultTarget)
            ? targets
            : targets.Add(EnvironmentSpec.DefaultTarget, DeploymentTarget.Default);
    }

    /// <summary>Only the zero-configuration <c>default</c> target.</summary>
    public static TargetSettings Default { get; } = new(ImmutableSortedDictionary<string, DeploymentTarget>.Empty);

    /// <summary>Every target, by name.</summary>
    public IReadOnlyCollection<DeploymentTarget> Targets => _targets.Values.ToList();

    /// <summary>Names of every target.</summary>
    public IEnumerable<string> Names => _targets.Keys;

    /// <summary>Finds a target.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeploymentTarget? target) =>
        _targets.TryGetValue(name, out target);

    /// <summary>Builds settings from targets already in memory.</summary>
    public static TargetSettings From(IEnumerable<DeploymentTarget> targets) =>
        new(targets.ToImmutableSortedDictionary(t => t.Name, t => t, StringComparer.Ordinal));

    /// <summary>Reads a targets file; a missing file yields <see cref="Default"/>.</summary>
    /// <exception cref="FormatException">The file is malformed; the message names the target and field.</exception>
    public static TargetSettings Load(string? path) =>
        path is null || !File.Exists(path) ? Default : Parse(File.ReadAllText(path));

    /// <summary>Parses targets from YAML or JSON text.</summary>
    /// <exception cref="FormatException">
    /// The text is malformed: a <see cref="SettingsFormatException"/> listing every problem, each with its path
    /// (<c>targets.&lt;name&gt;.&lt;field&gt;</c>), a "did you mean" for a misspelt field and the fix.
    /// </exception>
    public static TargetSettings Parse(string text)
    {
        var root = SettingsReader.ReadDocument(text, "a targets file");
        if (root is null)
        {
            return Default;
        }

        var reader = new SettingsReader();
        if (root is not JsonObject document)
        {
            reader.Error("(document)", "A targets file is a mapping.", "Start it with 'targets:' and one entry per target name, as in examples/platform.targets.yaml.");
            reader.ThrowIfAny();
            return Default;
        }

        reader.CheckFields(document, "(document)", ["targets"]);
        var targets = reader.Object(document, "(document)", "targets");
        if (targets is null && !document.ContainsKey("targets"))
        {
            reader.Error("targets", "'targets' is missing.", "Add 'targets:' mapping target names to their settings, as in examples/platform.targets.yaml.");
        }

        var result = new SortedDictionary<string, DeploymentTarget>(StringComparer.Ordinal);
        foreach (var (name, node) in targets ?? [])
        {
            var path = $"targets.{name}";
            if (node is not null and not JsonObject)
            {
                reader.Error(path, "A target's settings are a mapping.", "Write the target's fields (kubeContext, awsRegion, …) under its name.");
                continue;
            }

            result[name] = ReadTarget(reader, name, path, node as JsonObject ?? []);
        }

        reader.ThrowIfAny();
        return new TargetSettings(result.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    /// <summary>The fields a target accepts, as written in the targets file.</summary>
    internal static ImmutableArray<string> TargetFields { get; } =
    [
        "kubeContext", "kubeconfig", "awsRegion", "awsAccountId", "awsProfile", "baseDomain", "ingressClass", "ingressNamespace",
        "certificateIssuer", "vpcId", "vpcCidr", "privateSubnetIds", "clusterSecurityGroupId", "oidcProviderArn", "oidcProviderUrl",
        "providerVersions", "telemetry",
    ];

    private static DeploymentTarget ReadTarget(SettingsReader reader, string name, string path, JsonObject node)
    {
        reader.CheckFields(node, path, TargetFields);
        string? Text(string field) => reader.String(node, path, field);
        var defaults = DeploymentTarget.Default;
        var versions = ProviderVersions.Default;
        var versionsNode = reader.Object(node, path, "providerVersions");
        if (versionsNode is not null)
        {
            reader.CheckFields(versionsNode, $"{path}.providerVersions", ["aws", "kubernetes", "random"]);
            versions = new ProviderVersions(
                reader.String(versionsNode, $"{path}.providerVersions", "aws") ?? versions.Aws,
                reader.String(versionsNode, $"{path}.providerVersions", "kubernetes") ?? versions.Kubernetes,
                reader.String(versionsNode, $"{path}.providerVersions", "random") ?? versions.Random);
        }

        var telemetry = TelemetrySettings.None;
        if (reader.Object(node, path, "telemetry") is { } telemetryNode)
        {
            var telemetryPath = $"{path}.telemetry";
            reader.CheckFields(telemetryNode, telemetryPath, ["otlpEndpoint", "otlpProtocol", "collectorNamespace", "cloudWatchLogGroupPrefix", "links"]);
            var links = reader.Object(telemetryNode, telemetryPath, "links");
            if (links is not null)
            {
                reader.CheckFields(links, $"{telemetryPath}.links", ["logs", "metrics", "traces"]);
            }

            telemetry = new TelemetrySettings
            {
                OtlpEndpoint = reader.String(telemetryNode, telemetryPath, "otlpEndpoint"),
                OtlpProtocol = reader.String(telemetryNode, telemetryPath, "otlpProtocol") ?? TelemetrySettings.DefaultProtocol,
                CollectorNamespace = reader.String(telemetryNode, telemetryPath, "collectorNamespace"),
                CloudWatchLogGroupPrefix = reader.String(telemetryNode, telemetryPath, "cloudWatchLogGroupPrefix")?.TrimEnd('/'),
                LogsUrl = links is null ? null : reader.String(links, $"{telemetryPath}.links", "logs"),
                MetricsUrl = links is null ? null : reader.String(links, $"{telemetryPath}.links", "metrics"),
                TracesUrl = links is null ? null : reader.String(links, $"{telemetryPath}.links", "traces"),
            };
            foreach (var problem in telemetry.Problems(name))
            {
                reader.Error(problem.Path, problem.Message, problem.Fix);
            }
        }

        var target = new DeploymentTarget
        {
            Name = name,
            KubeContext = Text("kubeContext"),
            Kubeconfig = Text("kubeconfig"),
            AwsRegion = Text("awsRegion"),
            AwsAccountId = Text("awsAccountId"),
            AwsProfile = Text("awsProfile"),
            BaseDomain = Text("baseDomain") ?? defaults.BaseDomain,
            IngressClass = Text("ingressClass") ?? defaults.IngressClass,
            IngressNamespace = Text("ingressNamespace") ?? defaults.IngressNamespace,
            CertificateIssuer = Text("certificateIssuer") ?? defaults.CertificateIssuer,
            VpcId = Text("vpcId"),
            VpcCidr = Text("vpcCidr"),
            PrivateSubnetIds = reader.Strings(node, path, "privateSubnetIds") ?? [],
            ClusterSecurityGroupId = Text("clusterSecurityGroupId"),
            OidcProviderArn = Text("oidcProviderArn"),
            OidcProviderUrl = Text("oidcProviderUrl")?.Replace("https://", "", StringComparison.Ordinal),
            ProviderVersions = versions,
            Telemetry = telemetry,
        };
        foreach (var problem in target.Problems())
        {
            reader.Error(problem.Path, problem.Message, problem.Fix);
        }

        return target;
    }
}
