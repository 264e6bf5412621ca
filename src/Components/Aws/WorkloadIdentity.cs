using System.Text.Json;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Aws;

/// <summary>
/// Workload identity (IRSA): for every service that uses a cloud resource, an IAM role that only that service's
/// Kubernetes service account can assume, through the cluster's OIDC provider, and an inline policy granting only
/// the actions the service needs on only the ARNs of the resources it declares in <c>uses</c>.
/// </summary>
/// <remarks>
/// The role and its policy belong to the service's component; the Kubernetes golden path annotates the service
/// account with the role's ARN. No statement ever has a <c>*</c> resource or a <c>service:*</c> action.
/// <para>
/// Database access (<c>rds-db:connect</c>) needs the database user's ARN,
/// <c>arn:aws:rds-db:{region}:{account}:dbuser:{resourceId}/{user}</c>, and a plan cannot look up the region or
/// account (that takes a provider function call). The statement is therefore granted only when the target names
/// both its region and account (the <c>awsRegion</c> and <c>awsAccountId</c> config entries); otherwise services
/// still connect with the password from the database's connection secret, and no IAM statement is made. The ARN
/// assumes the commercial <c>aws</c> partition.
/// </para>
/// </remarks>
internal static class WorkloadIdentity
{
    /// <summary>IAM policy language version.</summary>
    public const string PolicyVersion = "2012-10-17";

    /// <summary>Object actions on a bucket's objects.</summary>
    public static readonly string[] BucketObjectActions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"];

    /// <summary>Listing a bucket (on the bucket itself).</summary>
    public static readonly string[] BucketListActions = ["s3:ListBucket"];

    /// <summary>Send, receive and delete messages (and what consumers need alongside).</summary>
    public static readonly string[] QueueActions =
        ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"];

    /// <summary>Connect to a database with an IAM authentication token.</summary>
    public static readonly string[] DatabaseActions = ["rds-db:connect"];

    /// <summary>The name of each role's inline policy.</summary>
    public const string InlinePolicyName = "platform-resource-access";

    public static void Plan(PlanContext context, ServiceSpec service)
    {
        var builder = context.Builder;
        var resources = context.CloudResourcesUsedBy(service).Distinct().ToList();
        if (resources.Count == 0)
        {
            return;
        }

        var role = LogicalNames.Role(service.Name);
        builder.Add(role, AwsTypes.Role, Map(
            ("name", AwsNames.RoleName(context.Spec.Name, service.Name)),
            ("description", $"Workload identity of service {service.Name} in environment {context.Spec.Name}"),
            ("assumeRolePolicy", TrustPolicy(context.Namespace, ServiceAccountName(service))),
            ("tags", Tags(context))), service.Name, Options);

        var statements = resources.SelectMany(r => Statements(context, r)).ToList();
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
                ("Statement", new PlanValue.List([.. statements])))))), service.Name, Options);
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
        var issuer = PlanValue.Config(AwsConfigKeys.OidcProviderUrl);
        var subject = $"system:serviceaccount:{@namespace}:{serviceAccount}";
        return PlanValue.Concat(
            $"{{\"Version\":{Json(PolicyVersion)},\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\"",
            PlanValue.Config(AwsConfigKeys.OidcProviderArn),
            "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"",
            issuer,
            $":sub\":{Json(subject)},\"",
            issuer,
            ":aud\":\"sts.amazonaws.com\"}}}]}");
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    private static IEnumerable<PlanValue> Statements(PlanContext context, ResourceSpec resource)
    {
        var sid = Casing.Camel("x", resource.Name)[1..];
        switch (resource.Type)
        {
            case ResourceType.Bucket:
                var arn = PlanValue.Ref(AwsNames.Bucket(resource.Name), "arn");
                yield return Statement(sid + "Objects", BucketObjectActions, PlanValue.Concat(arn, "/*"));
                yield return Statement(sid + "List", BucketListActions, arn);
                break;
            case ResourceType.Queue:
                yield return Statement(sid + "Messages", QueueActions, PlanValue.Ref(AwsNames.Queue(resource.Name), "arn"));
                break;
            case ResourceType.Postgres:
                if (DatabaseUserArn(context, resource) is { } user)
                {
                    yield return Statement(sid + "Connect", DatabaseActions, user);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(resource), resource.Type, "Unknown resource type.");
        }
    }

    private static PlanValue? DatabaseUserArn(PlanContext context, ResourceSpec database)
    {
        if (context.Target.AwsRegion is not { } region || context.Target.AwsAccountId is not { } account)
        {
            return null;
        }

        // The same entries (and values) the provider planner declares for the provider; declaring again is a no-op.
        context.Builder.AddConfig(new(ProviderPlanner.AwsRegionKey, "string", false, "AWS region of the target account.", null), new(region, false));
        context.Builder.AddConfig(new(ProviderPlanner.AwsAccountKey, "string", false, "The only AWS account this stack may deploy to.", null), new(account, false));
        return PlanValue.Concat(
            "arn:aws:rds-db:", PlanValue.Config(ProviderPlanner.AwsRegionKey), ":", PlanValue.Config(ProviderPlanner.AwsAccountKey),
            ":dbuser:", PlanValue.Ref(AwsNames.Instance(database.Name), "resourceId"), "/", PostgresResources.MasterUsername);
    }

    private static PlanValue.Map Statement(string sid, string[] actions, PlanValue resource) => Map(
        ("Sid", sid),
        ("Effect", "Allow"),
        ("Action", new PlanValue.List([.. actions.Select(a => (PlanValue)a)])),
        ("Resource", resource));
}
