using System.Collections.Immutable;

namespace Platform.Components.Aws;

/// <summary>
/// Stack config keys for the target's network and identity facts. The program reads them as config, so one rendered
/// program runs against any target; the target's settings supply each stack's values. A plan declares only the
/// keys its resources need: databases need the network keys, workload identity the OIDC keys.
/// </summary>
internal static class AwsConfigKeys
{
    /// <summary>VPC the databases' security groups are created in (string).</summary>
    public const string VpcId = "vpcId";

    /// <summary>Private subnets of the database subnet groups (<c>List&lt;String&gt;</c>).</summary>
    public const string PrivateSubnetIds = "privateSubnetIds";

    /// <summary>The cluster's node/pod security group, the only source admitted to databases (string).</summary>
    public const string ClusterSecurityGroupId = "clusterSecurityGroupId";

    /// <summary>ARN of the cluster's IAM OIDC provider, the federated principal of workload roles (string).</summary>
    public const string OidcProviderArn = "oidcProviderArn";

    /// <summary>Issuer of the cluster's OIDC provider without <c>https://</c>, the prefix of trust conditions (string).</summary>
    public const string OidcProviderUrl = "oidcProviderUrl";

    /// <summary>
    /// Every key above: the keys the AWS planner may declare, which no other config entry (a service's secret env
    /// value) may take. Kept next to the constants so a new key is listed where it is added.
    /// </summary>
    public static ImmutableArray<string> All { get; } = [VpcId, PrivateSubnetIds, ClusterSecurityGroupId, OidcProviderArn, OidcProviderUrl];
}
