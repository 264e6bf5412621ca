using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Platform.Components.Targets;

/// <summary>
/// A named place environments are deployed to: a Kubernetes cluster and a cloud account, configured once by the
/// platform team in the targets file (see <see cref="TargetSettings"/>). Every property has a default, so the
/// <c>default</c> target works with no configuration at all: the current kubeconfig context, the AWS default
/// credential chain and region, and a placeholder base domain.
/// </summary>
public sealed partial record DeploymentTarget
{
    /// <summary>The target's name, as specs refer to it.</summary>
    public required string Name { get; init; }

    /// <summary>Kubeconfig context; <see langword="null"/> uses the current context.</summary>
    public string? KubeContext { get; init; }

    /// <summary>Path of the kubeconfig file; <see langword="null"/> uses the provider's default lookup.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>AWS region; <see langword="null"/> uses the default chain (<c>AWS_REGION</c>, profile).</summary>
    public string? AwsRegion { get; init; }

    /// <summary>AWS account the target must deploy to; when set, the provider refuses any other account.</summary>
    public string? AwsAccountId { get; init; }

    /// <summary>AWS named profile; <see langword="null"/> uses the default chain.</summary>
    public string? AwsProfile { get; init; }

    /// <summary>Base DNS domain: web hosts are <c>host.environment.baseDomain</c>. The default is a placeholder.</summary>
    public string BaseDomain { get; init; } = DefaultBaseDomain;

    /// <summary>Ingress class of the cluster's ingress controller. The default is <c>nginx</c>.</summary>
    public string IngressClass { get; init; } = "nginx";

    /// <summary>Namespace the ingress controller runs in (network policy peer). The default is <c>ingress-nginx</c>.</summary>
    public string IngressNamespace { get; init; } = "ingress-nginx";

    /// <summary>cert-manager ClusterIssuer that issues Ingress TLS certificates. The default is <c>letsencrypt</c>.</summary>
    public string CertificateIssuer { get; init; } = "letsencrypt";

    /// <summary>VPC the cluster runs in (databases go there too).</summary>
    public string? VpcId { get; init; }

    /// <summary>The VPC's CIDR block; pods' egress to databases is limited to it. The default allows any private range.</summary>
    public string? VpcCidr { get; init; }

    /// <summary>Private subnets for database subnet groups.</summary>
    public ImmutableArray<string> PrivateSubnetIds { get; init; } = [];

    /// <summary>The cluster's node/pod security group, admitted to databases.</summary>
    public string? ClusterSecurityGroupId { get; init; }

    /// <summary>ARN of the cluster's IAM OIDC provider (workload identity).</summary>
    public string? OidcProviderArn { get; init; }

    /// <summary>Issuer URL of the cluster's OIDC provider, without <c>https://</c>.</summary>
    public string? OidcProviderUrl { get; init; }

    /// <summary>Provider plugin versions to pin.</summary>
    public ProviderVersions ProviderVersions { get; init; } = ProviderVersions.Default;

    /// <summary>Telemetry collector and observability links. The default names no collector and no links.</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.None;

    /// <summary>
    /// Every malformed field of this target, each with its path and fix. Workload roles' trust policies are JSON text
    /// assembled around the OIDC provider's ARN and issuer (<c>WorkloadIdentity.TrustPolicy</c>): a value holding a
    /// quote, a backslash or a space would make a policy IAM rejects at deploy time, far from the typo, so both are
    /// held to their AWS forms here.
    /// </summary>
    internal IEnumerable<Specs.SpecError> Problems()
    {
        if (OidcProviderArn is { } arn && !OidcProviderArnForm().IsMatch(arn))
        {
            yield return new($"targets.{Name}.oidcProviderArn", $"'{arn}' is not an IAM OIDC provider ARN.",
                "Copy the provider's ARN from IAM, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE.");
        }

        if (OidcProviderUrl is { } issuer && !OidcIssuerForm().IsMatch(issuer))
        {
            yield return new($"targets.{Name}.oidcProviderUrl", $"'{issuer}' is not an OIDC issuer (a host and path).",
                "Copy the cluster's issuer (aws eks describe-cluster --query cluster.identity.oidc.issuer), e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE.");
        }

        foreach (var problem in ProviderVersions.Problems(Name))
        {
            yield return problem;
        }
    }

    // arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>.
    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::\d{12}:oidc-provider/[A-Za-z0-9.\-_~:/]+$")]
    private static partial Regex OidcProviderArnForm();

    // A host (with an optional port) and path, https:// already removed: nothing JSON would need to escape.
    [GeneratedRegex(@"^[A-Za-z0-9.\-]+(:\d+)?(/[A-Za-z0-9.\-_~/]*)?$")]
    private static partial Regex OidcIssuerForm();

    /// <summary>The base domain used when a target names none.</summary>
    public const string DefaultBaseDomain = "apps.example.internal";

    /// <summary>The zero-configuration target.</summary>
    public static DeploymentTarget Default { get; } = new() { Name = Specs.EnvironmentSpec.DefaultTarget };

    /// <inheritdoc />
    public bool Equals(DeploymentTarget? other) =>
        other is not null && EqualityContract == other.EqualityContract && Name == other.Name &&
        KubeContext == other.KubeContext && Kubeconfig == other.Kubeconfig && AwsRegion == other.AwsRegion &&
        AwsAccountId == other.AwsAccountId && AwsProfile == other.AwsProfile && BaseDomain == other.BaseDomain &&
        IngressClass == other.IngressClass && IngressNamespace == other.IngressNamespace &&
        CertificateIssuer == other.CertificateIssuer && VpcId == other.VpcId && VpcCidr == other.VpcCidr &&
        PrivateSubnetIds.SequenceEqual(other.PrivateSubnetIds) && ClusterSecurityGroupId == other.ClusterSecurityGroupId &&
        OidcProviderArn == other.OidcProviderArn && OidcProviderUrl == other.OidcProviderUrl &&
        ProviderVersions == other.ProviderVersions && Telemetry == other.Telemetry;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, KubeContext, AwsRegion, BaseDomain, VpcId);
}

/// <summary>Provider plugin versions a program pins, so <c>pulumi up</c> installs exactly these.</summary>
/// <param name="Aws">AWS provider version.</param>
/// <param name="Kubernetes">Kubernetes provider version.</param>
/// <param name="Random">Random provider version.</param>
public sealed partial record ProviderVersions(string Aws, string Kubernetes, string Random)
{
    /// <summary>The versions Platform is tested with: AWS 7.48.0, Kubernetes 4.34.2, Random 4.21.2.</summary>
    public static ProviderVersions Default { get; } = new("7.48.0", "4.34.2", "4.21.2");

    /// <summary>
    /// Versions Pulumi YAML would refuse. It reads a provider's <c>version</c> option with blang/semver's
    /// <c>ParseTolerant</c> (<c>ParseVersion</c> in <c>pkg/pulumiyaml/semver.go</c> of pulumi/pulumi-yaml) and fails the
    /// whole program on anything else ("error parsing version of resource …"), so a name like <c>latest</c> is refused
    /// here, where the targets file names it, not at deploy time.
    /// </summary>
    internal IEnumerable<Specs.SpecError> Problems(string target)
    {
        foreach (var (provider, version, example) in new[] { ("aws", Aws, Default.Aws), ("kubernetes", Kubernetes, Default.Kubernetes), ("random", Random, Default.Random) })
        {
            if (!TolerantSemver().IsMatch(version))
            {
                yield return new($"targets.{target}.providerVersions.{provider}", $"'{version}' is not a version Pulumi can pin.",
                    $"Write a released version of the provider as major.minor.patch, e.g. {provider}: \"{example}\".");
            }
        }
    }

    // What ParseTolerant accepts in blang/semver v3.5.1 (the version pulumi-yaml's and pulumi's go.mod pin): blanks
    // around and a leading "v" dropped, "1" and "1.2" read as 1.0.0 and 1.2.0 (with no pre-release or build there), then
    // Parse: numbers without leading zeros, pre-release identifiers numeric without leading zeros or alphanumeric with
    // '-', build identifiers alphanumeric with '-'. (Numbers beyond uint64 are not refused here.)
    [GeneratedRegex(@"^\s*v?((0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?|(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TolerantSemver();
}
