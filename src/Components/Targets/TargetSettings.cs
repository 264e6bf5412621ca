using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Platform.Components.Documents;
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
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

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
    /// <exception cref="FormatException">The text is malformed; the message names the target and field.</exception>
    public static TargetSettings Parse(string text)
    {
        var root = YamlJson.Parse(text);
        if (root is null)
        {
            return Default;
        }

        if (root is not JsonObject document || document.Count != 1 || document["targets"] is not JsonObject targets)
        {
            throw new FormatException("A targets file has one top-level key, 'targets', mapping target names to their settings.");
        }

        var result = new SortedDictionary<string, DeploymentTarget>(StringComparer.Ordinal);
        foreach (var (name, node) in targets)
        {
            try
            {
                var settings = (node ?? new JsonObject()).Deserialize<TargetDocument>(Options) ?? new TargetDocument();
                result[name] = settings.ToTarget(name);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"targets.{name}: {ex.Message.Split(" Path:")[0]} Known fields: {string.Join(", ", typeof(TargetDocument).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)))}.", ex);
            }
        }

        return new TargetSettings(result.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    private sealed record TargetDocument
    {
        public string? KubeContext { get; init; }
        public string? Kubeconfig { get; init; }
        public string? AwsRegion { get; init; }
        public string? AwsAccountId { get; init; }
        public string? AwsProfile { get; init; }
        public string? BaseDomain { get; init; }
        public string? IngressClass { get; init; }
        public string? IngressNamespace { get; init; }
        public string? CertificateIssuer { get; init; }
        public string? VpcId { get; init; }
        public string? VpcCidr { get; init; }
        public List<string>? PrivateSubnetIds { get; init; }
        public string? ClusterSecurityGroupId { get; init; }
        public string? OidcProviderArn { get; init; }
        public string? OidcProviderUrl { get; init; }
        public ProviderVersionsDocument? ProviderVersions { get; init; }
        public TelemetryDocument? Telemetry { get; init; }

        public DeploymentTarget ToTarget(string name)
        {
            var telemetry = Telemetry?.ToSettings() ?? TelemetrySettings.None;
            telemetry.Validate(name);
            var defaults = DeploymentTarget.Default;
            var versions = Platform.Components.Targets.ProviderVersions.Default;
            return new DeploymentTarget
            {
                Name = name,
                KubeContext = KubeContext,
                Kubeconfig = Kubeconfig,
                AwsRegion = AwsRegion,
                AwsAccountId = AwsAccountId,
                AwsProfile = AwsProfile,
                BaseDomain = BaseDomain ?? defaults.BaseDomain,
                IngressClass = IngressClass ?? defaults.IngressClass,
                IngressNamespace = IngressNamespace ?? defaults.IngressNamespace,
                CertificateIssuer = CertificateIssuer ?? defaults.CertificateIssuer,
                VpcId = VpcId,
                VpcCidr = VpcCidr,
                PrivateSubnetIds = [.. PrivateSubnetIds ?? []],
                ClusterSecurityGroupId = ClusterSecurityGroupId,
                OidcProviderArn = OidcProviderArn,
                OidcProviderUrl = OidcProviderUrl?.Replace("https://", "", StringComparison.Ordinal),
                ProviderVersions = new Platform.Components.Targets.ProviderVersions(
                    ProviderVersions?.Aws ?? versions.Aws,
                    ProviderVersions?.Kubernetes ?? versions.Kubernetes,
                    ProviderVersions?.Random ?? versions.Random),
                Telemetry = telemetry,
            };
        }
    }

    private sealed record ProviderVersionsDocument(string? Aws, string? Kubernetes, string? Random);

    private sealed record TelemetryDocument(string? OtlpEndpoint, string? OtlpProtocol, string? CollectorNamespace, string? CloudWatchLogGroupPrefix, LinksDocument? Links)
    {
        public TelemetrySettings ToSettings() => new()
        {
            OtlpEndpoint = OtlpEndpoint,
            OtlpProtocol = OtlpProtocol ?? TelemetrySettings.DefaultProtocol,
            CollectorNamespace = CollectorNamespace,
            CloudWatchLogGroupPrefix = CloudWatchLogGroupPrefix?.TrimEnd('/'),
            LogsUrl = Links?.Logs,
            MetricsUrl = Links?.Metrics,
            TracesUrl = Links?.Traces,
        };
    }

    private sealed record LinksDocument(string? Logs, string? Metrics, string? Traces);
}
