using System.Text.Json.Nodes;
using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Aws;

public sealed class WorkloadIdentityTests
{
    private const string Db = "${config:awsRegion}:${config:awsAccountId}:dbuser:${orders-db-instance.resourceId}/appowner";

    // Three services and four resources: a web service using all three kinds, a worker using a queue and the
    // database, a cron job using another bucket, and a service that uses only another service (no role).
    private static EnvironmentSpec SeveralServices() => TestSpecs.CheckoutStaging() with
    {
        Services =
        [
            .. TestSpecs.CheckoutStaging().Services.Select(s => s.Name == "ledger" ? s with { Uses = ["events", "orders-db"] } : s),
            ServiceSpec.Create("archiver", ServiceType.Cron, "registry.example.com/payments/archiver:1.0.0") with
            {
                Schedule = "0 3 * * *",
                Uses = ["archive"],
            },
            ServiceSpec.Create("frontend", ServiceType.Web, "registry.example.com/payments/frontend:3.1.0") with { Uses = ["api"] },
        ],
        Resources = [.. TestSpecs.CheckoutStaging().Resources, ResourceSpec.Create("archive", "bucket")],
    };

    [Fact]
    public void Each_role_grants_exactly_the_actions_on_exactly_the_arns_its_service_uses()
    {
        var plan = AwsPlans.Compile(SeveralServices());

        Assert.Equal(
            Sorted(
            [
                .. Pairs(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], "${receipts-bucket.arn}/*"),
                ("s3:ListBucket", "${receipts-bucket.arn}"),
                .. Pairs(Queue, "${events-queue.arn}"),
                ("rds-db:connect", "arn:aws:rds-db:" + Db),
            ]),
            Grants(plan, "api"));
        Assert.Equal(
            Sorted([.. Pairs(Queue, "${events-queue.arn}"), ("rds-db:connect", "arn:aws:rds-db:" + Db)]),
            Grants(plan, "ledger"));
        Assert.Equal(
            Sorted([.. Pairs(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], "${archive-bucket.arn}/*"), ("s3:ListBucket", "${archive-bucket.arn}")]),
            Grants(plan, "archiver"));
        Assert.DoesNotContain(plan.Resources, r => r.Name.StartsWith("frontend-role", StringComparison.Ordinal));
        Assert.Equal(3, plan.OfType(AwsTypes.Role).Count());
        Assert.Equal(3, plan.OfType(AwsTypes.RolePolicy).Count());
    }

    [Fact]
    public void No_statement_anywhere_has_a_wildcard_resource_or_service_wide_action()
    {
        var plan = AwsPlans.Compile(SeveralServices());
        var grants = plan.OfType(AwsTypes.RolePolicy).SelectMany(p => Grants(plan, p.Component!)).ToList();

        Assert.NotEmpty(grants);
        Assert.All(grants, g =>
        {
            Assert.NotEqual("*", g.Resource);
            Assert.DoesNotContain("*", g.Action, StringComparison.Ordinal);
        });
        Assert.All(Statements(plan), s => Assert.Equal("Allow", s.At("Effect").Text()));
    }

    [Fact]
    public void Without_the_targets_region_and_account_no_database_statement_is_granted()
    {
        var target = AwsPlans.FullTarget with { AwsRegion = null, AwsAccountId = null };
        var plan = AwsPlans.Compile(SeveralServices(), target);

        Assert.DoesNotContain(Grants(plan, "api"), g => g.Action.StartsWith("rds-db:", StringComparison.Ordinal));
        Assert.Equal(Sorted([.. Pairs(Queue, "${events-queue.arn}")]), Grants(plan, "ledger"));
    }

    [Fact]
    public void A_service_using_only_a_database_without_region_and_account_gets_a_role_without_a_policy()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [ServiceSpec.Create("reporter", ServiceType.Worker, "registry.example.com/payments/reporter:1.0.0") with { Uses = ["orders-db"] }],
            Resources = [ResourceSpec.Create("orders-db", "postgres")],
        };
        var plan = AwsPlans.Compile(spec, DeploymentTarget.Default);

        Assert.Equal(AwsTypes.Role, plan[LogicalNames.Role("reporter")].Type);
        Assert.Empty(plan.OfType(AwsTypes.RolePolicy));
    }

    [Fact]
    public void The_role_trusts_only_its_services_account_through_the_clusters_oidc_provider()
    {
        var plan = AwsPlans.Compile(SeveralServices());
        var role = plan[LogicalNames.Role("api")];
        var trust = AwsPlans.Describe(role.Inputs.At("assumeRolePolicy"));
        var document = JsonNode.Parse(trust)!;
        var statement = Assert.Single(document["Statement"]!.AsArray())!;
        var conditions = statement["Condition"]!["StringEquals"]!.AsObject();

        Assert.Equal(AwsTypes.Role, role.Type);
        Assert.Equal("api", role.Component);
        Assert.Equal("checkout-staging-api", role.Inputs.At("name").Text());
        Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
        Assert.Equal("sts:AssumeRoleWithWebIdentity", statement["Action"]!.GetValue<string>());
        Assert.Equal("${config:oidcProviderArn}", statement["Principal"]!["Federated"]!.GetValue<string>());
        Assert.Equal(2, conditions.Count);
        Assert.Equal("system:serviceaccount:checkout-staging:api", conditions["${config:oidcProviderUrl}:sub"]!.GetValue<string>());
        Assert.Equal("sts.amazonaws.com", conditions["${config:oidcProviderUrl}:aud"]!.GetValue<string>());
    }

    [Fact]
    public void The_service_account_is_annotated_with_its_role_and_the_policy_is_attached_to_that_role()
    {
        var plan = AwsPlans.Compile(SeveralServices());
        var account = plan[LogicalNames.ServiceAccount("api")];
        var policy = plan["api-role-policy"];

        Assert.Contains(PlanValue.Ref(LogicalNames.Role("api"), "arn"), account.Inputs.Walk());
        Assert.Equal("api", account.Inputs.At("metadata.name").Text());
        Assert.Equal(PlanValue.Ref(LogicalNames.Role("api"), "name"), policy.Inputs.At("role"));
        Assert.Equal("api", policy.Component);
    }

    private static readonly string[] Queue =
        ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"];

    private static IEnumerable<(string Action, string Resource)> Pairs(string[] actions, string resource) =>
        actions.Select(a => (a, resource));

    private static IEnumerable<PlanValue> Statements(ResourcePlan plan) =>
        plan.OfType(AwsTypes.RolePolicy).SelectMany(p => Assert.IsType<PlanValue.Json>(p.Inputs.At("policy")).Value.At("Statement").Items());

    private static List<(string Action, string Resource)> Sorted(List<(string Action, string Resource)> pairs) => [.. pairs.Order()];

    /// <summary>Every (action, resource) pair a service's role policy allows, sorted.</summary>
    private static List<(string Action, string Resource)> Grants(ResourcePlan plan, string service)
    {
        var policy = Assert.IsType<PlanValue.Json>(plan[$"{service}-role-policy"].Inputs.At("policy"));
        Assert.Equal("2012-10-17", policy.Value.At("Version").Text());
        return
        [
            .. policy.Value.At("Statement").Items().SelectMany(s =>
                s.At("Action").Items().Select(a => (a.Text()!, AwsPlans.Describe(s.At("Resource"))))).Order(),
        ];
    }
}
