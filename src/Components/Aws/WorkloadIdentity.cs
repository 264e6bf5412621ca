using System.Collections.Immutable;
using Platform.Components.Planning;
using Platform.Components.Specs;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Aws;

/// <summary>
/// Workload identity (IRSA): for every service that talks to AWS APIs for a resource it uses, an IAM role that only that service's
/// Kubernetes service account can assume, through the cluster's OIDC provider, and an inline policy granting only
/// the actions the service needs on only the ARNs of the resources it declares in <c>uses</c>.
/// </summary>
/// <remarks>
/// The role and its policy belong to the service's component; the Kubernetes golden path annotates the service
/// account with the role's ARN. No statement ever has a <c>*</c> resource or a <c>service:*</c> action.
/// <para>
/// What each resource grants (actions and ARNs) is decided by its kind (<see cref="Planning.ResourceGrant"/>); a
/// resource that grants no statement (a database without the target's region and account) still gives the service a
/// role when it talks to AWS APIs for it.
/// </para>
/// </remarks>
internal static class WorkloadIdentity
{
    /// <summary>IAM policy language version.</summary>
    public const string PolicyVersion = "2012-10-17";

    /// <summary>The name of each role's inline policy.</summary>
    public const string InlinePolicyName = "platform-resource-access";

    public static void Plan(PlanContext context, ServiceSpec service)
    {
        var builder = context.Builder;
        var grants = context.GrantsTo(service);
        if (!grants.Any(g => g.UsesAwsApis))
        {
            return;
        }

        var role = LogicalNames.Role(service.Name);
        builder.Add(role, AwsTypes.Role, Map(
            ("name", AwsNames.RoleName(context.Spec.Name, service.Name)),
            ("description", $"Workload identity of service {service.Name} in environment {context.Spec.Name}"),
            ("assumeRolePolicy", TrustPolicy(context.Namespace, ServiceAccountName(service))),
            ("tags", Tags(context))), service.Name, Options);

        var statements = ImmutableArray.CreateBuilder<PlanValue>();
        foreach (var grant in grants)
        {
            foreach (var statement in grant.Statements)
            {
                statements.Add(statement.Document);
            }
        }

        if (statements.Count == 0)
        {
            // IAM rejects a policy without statements; the role still exists so the service account's annotation
            // resolves, and grants nothing.
            return;
        }

        builder.Add(AwsNames.RolePolicy(service.Name), AwsTypes.RolePolicy, Map(
            ("name", InlinePolicyName),
            ("role", PlanValue.Ref(role, "name")),
            ("policy", PlanValue.ToJson(Map(
                ("Version", PolicyVersion),
                ("Statement", new PlanValue.List(statements.DrainToImmutable())))))), service.Name, Options);
    }

    /// <summary>The Kubernetes name of a service's service account (what the Kubernetes golden path names it).</summary>
    public static string ServiceAccountName(ServiceSpec service) => PhysicalName.Create(PhysicalName.KubernetesLabel, service.Name);

    /// <summary>
    /// The trust policy: only tokens the cluster issued for this namespace's service account, for the STS
    /// audience. Its condition keys start with the OIDC issuer, a config value, and a JSON key cannot be a
    /// reference, so the document is JSON text assembled around the config references. The values inserted
    /// (an ARN, an issuer host and path) contain no characters JSON must escape.
    /// </summary>
    public static PlanValue TrustPolicy(string @namespace, string serviceAccount)
    {
        var subject = $"system:serviceaccount:{@namespace}:{serviceAccount}";
        return new PlanValue.Interpolation(
        [
            TrustHead, OidcProviderArn, TrustCondition, OidcIssuer, new PlanValue.Text($":sub\":{JsonStrings.Quote(subject)},\""), OidcIssuer, TrustTail,
        ]);
    }

    // The parts every role's trust policy has in common, one instance each: plan values are immutable, and a plan of
    // thousands of roles otherwise holds thousands of copies of the same text and config references.
    private static readonly PlanValue TrustHead =
        new PlanValue.Text($"{{\"Version\":{JsonStrings.Quote(PolicyVersion)},\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\"");

    private static readonly PlanValue TrustCondition =
        new PlanValue.Text("\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"");

    private static readonly PlanValue TrustTail = new PlanValue.Text(":aud\":\"sts.amazonaws.com\"}}}]}");

    private static readonly PlanValue OidcProviderArn = PlanValue.Config(AwsConfigKeys.OidcProviderArn);

    private static readonly PlanValue OidcIssuer = PlanValue.Config(AwsConfigKeys.OidcProviderUrl);

}
