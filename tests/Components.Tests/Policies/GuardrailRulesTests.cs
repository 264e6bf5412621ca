using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;
using static Platform.Components.Tests.Policies.PolicyPlans;

namespace Platform.Components.Tests.Policies;

public sealed class GuardrailRulesTests
{
    // PLT001
    [Fact]
    public void A_bucket_with_all_public_access_blocked_passes()
    {
        Assert.Empty(Run(GuardrailRules.NoPublicBucket, Build(Tier.Dev, b => Bucket(b))));
    }

    [Fact]
    public void A_bucket_without_a_public_access_block_fails_naming_the_bucket_and_fix()
    {
        var violation = Assert.Single(Run(GuardrailRules.NoPublicBucket, Build(Tier.Dev, b => Bucket(b, publicBlock: false))));

        Assert.Equal("PLT001-no-public-bucket", violation.RuleId);
        Assert.Equal(PolicySeverity.Mandatory, violation.Severity);
        Assert.Equal("files-bucket", violation.Resource);
        Assert.Contains(AwsTypes.BucketPublicAccessBlock, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_access_block_with_a_setting_off_or_a_public_acl_fails()
    {
        var plan = Build(Tier.Dev, b =>
        {
            b.Add("files-bucket", AwsTypes.Bucket, Json("""{"acl":"public-read"}"""), "files");
            b.Add("files-pab", AwsTypes.BucketPublicAccessBlock, Json("""{"blockPublicAcls":true,"blockPublicPolicy":false,"ignorePublicAcls":true,"restrictPublicBuckets":true}""")
                .With("bucket", PlanValue.Ref("files-bucket", "bucket")), "files");
        });
        var violations = Run(GuardrailRules.NoPublicBucket, plan);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Resource == "files-pab" && v.Message.Contains("blockPublicPolicy", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Resource == "files-bucket" && v.Message.Contains("public-read", StringComparison.Ordinal));
    }

    // PLT002
    [Fact]
    public void Encrypted_databases_buckets_and_queues_pass()
    {
        var plan = Build(Tier.Dev, b =>
        {
            Bucket(b);
            b.Add("db", AwsTypes.DbInstance, Json("""{"storageEncrypted":true}"""), "db");
            b.Add("q", AwsTypes.Queue, Json("""{"sqsManagedSseEnabled":true}"""), "q");
            b.Add("k", AwsTypes.Queue, Json("""{"kmsMasterKeyId":"alias/aws/sqs"}"""), "q");
        });

        Assert.Empty(Run(GuardrailRules.EncryptionAtRest, plan));
    }

    [Fact]
    public void Unencrypted_databases_buckets_and_queues_fail()
    {
        var plan = Build(Tier.Dev, b =>
        {
            Bucket(b, encrypted: false);
            b.Add("db", AwsTypes.DbInstance, Json("""{"storageEncrypted":false}"""), "db");
            b.Add("q", AwsTypes.Queue, Json("""{"sqsManagedSseEnabled":false}"""), "q");
        });
        var violations = Run(GuardrailRules.EncryptionAtRest, plan);

        Assert.Equal(["db", "files-bucket", "q"], violations.Select(v => v.Resource).Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Equal(PolicySeverity.Mandatory, v.Severity));
    }

    // PLT003
    [Fact]
    public void Policies_naming_actions_and_arns_pass()
    {
        var plan = Build(Tier.Dev, b =>
        {
            Bucket(b);
            b.Add("svc-role", AwsTypes.Role, PlanValue.Map.Empty.With("assumeRolePolicy", PlanValue.Concat(
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"", PlanValue.Ref("files-bucket", "arn"), "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}")), "svc");
            b.Add("svc-policy", AwsTypes.RolePolicy, PlanValue.Map.Empty.With("policy", PlanValue.ToJson(Json(
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"x"}]}""").With("Statement.0.Resource", PlanValue.Concat(PlanValue.Ref("files-bucket", "arn"), "/*")))), "svc");
        });

        Assert.Empty(Run(GuardrailRules.NoWildcardIam, plan));
    }

    [Theory]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""", "resource '*'")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}""", "'s3:*'")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":["*"],"Resource":["arn:aws:s3:::b"]}}""", "action '*'")]
    [InlineData("""{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b"}]}""", "NotAction")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}""", "principal '*'")]
    [InlineData("not json", "not a JSON policy document")]
    public void Wildcards_in_policy_text_fail(string policy, string expected)
    {
        var plan = Build(Tier.Dev, b => b.Add("svc-policy", AwsTypes.RolePolicy, PlanValue.Map.Empty.With("policy", policy), "svc"));
        var violation = Assert.Single(Run(GuardrailRules.NoWildcardIam, plan));

        Assert.Equal("svc-policy", violation.Resource);
        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deny_statement_with_wildcards_passes()
    {
        var plan = Build(Tier.Dev, b => b.Add("svc-policy", AwsTypes.RolePolicy,
            PlanValue.Map.Empty.With("policy", """{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"""), "svc"));

        Assert.Empty(Run(GuardrailRules.NoWildcardIam, plan));
    }

    // PLT004
    [Fact]
    public void A_protected_prod_database_passes_and_non_prod_databases_are_not_checked()
    {
        var protectedDb = Json("""{"multiAz":true,"deletionProtection":true,"backupRetentionPeriod":30,"skipFinalSnapshot":false,"finalSnapshotIdentifier":"db-final"}""");
        var prod = Build(Tier.Prod, b => b.Add("db", AwsTypes.DbInstance, protectedDb, "db", PlanResourceOptions.None with { Protect = true }));
        var staging = Build(Tier.Staging, b => b.Add("db", AwsTypes.DbInstance, Json("""{"multiAz":false}"""), "db"));

        Assert.Empty(Run(GuardrailRules.ProdDatabaseProtection, prod));
        Assert.Empty(Run(GuardrailRules.ProdDatabaseProtection, staging));
    }

    [Fact]
    public void An_unprotected_prod_database_fails_listing_what_is_missing()
    {
        var plan = Build(Tier.Prod, b => b.Add("db", AwsTypes.DbInstance, Json("""{"multiAz":false,"backupRetentionPeriod":1,"skipFinalSnapshot":true}"""), "db"));
        var violation = Assert.Single(Run(GuardrailRules.ProdDatabaseProtection, plan));

        foreach (var part in new[] { "multiAz", "deletionProtection", "backupRetentionPeriod", "finalSnapshotIdentifier", "protect" })
        {
            Assert.Contains(part, violation.Message, StringComparison.Ordinal);
        }
    }

    // PLT005
    [Fact]
    public void Containers_with_limits_pass()
    {
        Assert.Empty(Run(GuardrailRules.ContainerLimits, WithDeployment(Tier.Dev, Deployment())));
    }

    [Fact]
    public void A_container_without_a_memory_limit_fails_in_deployments_and_cron_jobs()
    {
        const string container = "\"image\": \"r/web:1\", \"resources\": { \"limits\": { \"cpu\": \"1\" } }";
        var cron = Json("""{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"job",""" + container + "}]}}}}}}");
        var plan = WithDeployment(Tier.Dev, Deployment(container: container), b => b.Add("job-cronjob", KubernetesTypes.CronJob, cron, "job"));
        var violations = Run(GuardrailRules.ContainerLimits, plan);

        Assert.Equal(["job-cronjob", "web-deployment"], violations.Select(v => v.Resource).Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("memory", v.Message, StringComparison.Ordinal));
    }

    // PLT006
    [Fact]
    public void Non_root_pods_pass()
    {
        Assert.Empty(Run(GuardrailRules.NonRootContainers, WithDeployment(Tier.Dev, Deployment())));
    }

    [Theory]
    [InlineData("\"securityContext\": {}", "")]
    [InlineData("\"securityContext\": { \"runAsNonRoot\": true }", "\"image\": \"r/web:1\", \"securityContext\": { \"runAsNonRoot\": false }")]
    [InlineData("\"securityContext\": { \"runAsNonRoot\": true, \"runAsUser\": 0 }", "")]
    public void Containers_that_may_run_as_root_fail(string pod, string container)
    {
        var violation = Assert.Single(Run(GuardrailRules.NonRootContainers, WithDeployment(Tier.Dev, Deployment(container: container, pod: pod))));

        Assert.Equal("web-deployment", violation.Resource);
        Assert.Contains("runAsNonRoot", violation.Message, StringComparison.Ordinal);
    }

    // PLT007
    [Theory]
    [InlineData("registry.example.com/web:1.0.0", true)]
    [InlineData("registry.example.com:5000/web:1.0.0", true)]
    [InlineData("web@sha256:0123456789abcdef", true)]
    [InlineData("registry.example.com/web:latest", false)]
    [InlineData("registry.example.com/web", false)]
    [InlineData("registry.example.com:5000/web", false)]
    [InlineData("web:", false)]
    public void Images_are_pinned_by_tag_or_digest(string image, bool pinned)
    {
        Assert.Equal(pinned, GuardrailRules.IsPinned(image));
    }

    [Fact]
    public void A_latest_image_fails_and_a_tagged_one_passes()
    {
        var latest = WithDeployment(Tier.Dev, Deployment(container: "\"image\": \"registry.example.com/web:latest\""));

        Assert.Empty(Run(GuardrailRules.PinnedImages, WithDeployment(Tier.Dev, Deployment())));
        Assert.Contains("latest", Assert.Single(Run(GuardrailRules.PinnedImages, latest)).Message, StringComparison.Ordinal);
    }

    // PLT008
    private static void Service(PlanBuilder b) =>
        b.Add("web-service", KubernetesTypes.Service, Json("""{"spec":{"selector":{"app":"web"}}}"""), "web");

    private static void Autoscaler(PlanBuilder b, int min) =>
        b.Add("web-hpa", KubernetesTypes.HorizontalPodAutoscaler, Json($$$"""{"spec":{"minReplicas":{{{min}}},"maxReplicas":10}}""")
            .With("spec.scaleTargetRef.name", PlanValue.Ref("web-deployment", "metadata.name")), "web");

    private static void Budget(PlanBuilder b) =>
        b.Add("web-pdb", KubernetesTypes.PodDisruptionBudget, Json("""{"spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}}"""), "budgets");

    [Fact]
    public void A_prod_web_service_with_two_replicas_and_a_budget_passes()
    {
        var plan = WithDeployment(Tier.Prod, Deployment(), b => { Service(b); Autoscaler(b, 2); Budget(b); });

        Assert.Empty(Run(GuardrailRules.ProdWebAvailability, plan));
    }

    [Fact]
    public void A_prod_web_service_with_one_replica_and_no_budget_fails_twice()
    {
        var plan = WithDeployment(Tier.Prod, Deployment(spec: "\"replicas\": 1,"), Service);
        var violations = Run(GuardrailRules.ProdWebAvailability, plan);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Message.Contains("1 replica", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("PodDisruptionBudget", StringComparison.Ordinal));
    }

    [Fact]
    public void An_autoscalers_minimum_decides_the_replica_floor()
    {
        var plan = WithDeployment(Tier.Prod, Deployment(spec: "\"replicas\": 5,"), b => { Service(b); Autoscaler(b, 1); Budget(b); });

        Assert.Single(Run(GuardrailRules.ProdWebAvailability, plan));
    }

    [Fact]
    public void Non_prod_and_non_web_deployments_are_not_checked()
    {
        Assert.Empty(Run(GuardrailRules.ProdWebAvailability, WithDeployment(Tier.Staging, Deployment(spec: "\"replicas\": 1,"), Service)));
        Assert.Empty(Run(GuardrailRules.ProdWebAvailability, WithDeployment(Tier.Prod, Deployment(spec: "\"replicas\": 1,"))));
    }

    // PLT009
    [Fact]
    public void Versioned_buckets_pass_and_unversioned_ones_warn()
    {
        Assert.Empty(Run(GuardrailRules.BucketVersioning, Build(Tier.Dev, b => Bucket(b))));
        var violation = Assert.Single(Run(GuardrailRules.BucketVersioning, Build(Tier.Dev, b => Bucket(b, versioned: false))));
        Assert.Equal(PolicySeverity.Advisory, violation.Severity);
        Assert.Equal("files-bucket", violation.Resource);
    }

    // PLT010
    [Fact]
    public void Resources_with_the_standard_tags_pass_and_others_warn_naming_the_missing_tags()
    {
        var plan = Build(Tier.Dev, b =>
        {
            Bucket(b);
            b.Add("q", AwsTypes.Queue, Json("""{"tags":{"team":"t"}}"""), "q");
            b.Add("files-pab-2", AwsTypes.BucketPublicAccessBlock, PlanValue.Map.Empty, "files");
        });
        var violation = Assert.Single(Run(GuardrailRules.StandardTags, plan));

        Assert.Equal("q", violation.Resource);
        Assert.Contains("environment, tier, cost-center, managed-by", violation.Message, StringComparison.Ordinal);
    }

    // PLT011
    [Fact]
    public void Private_databases_and_narrow_security_groups_pass()
    {
        var plan = Build(Tier.Dev, b =>
        {
            b.Add("db", AwsTypes.DbInstance, Json("""{"publiclyAccessible":false}"""), "db");
            b.Add("sg", AwsTypes.SecurityGroup, Json("""{"ingress":[{"protocol":"tcp","fromPort":5432,"toPort":5432,"securityGroups":["sg-1"],"cidrBlocks":["10.0.0.0/8"]}]}"""), "db");
        });

        Assert.Empty(Run(GuardrailRules.NoPublicNetworkAccess, plan));
    }

    [Fact]
    public void Public_databases_and_open_security_groups_fail()
    {
        var plan = Build(Tier.Dev, b =>
        {
            b.Add("db", AwsTypes.DbInstance, Json("""{"publiclyAccessible":true}"""), "db");
            b.Add("sg", AwsTypes.SecurityGroup, Json("""{"ingress":[{"protocol":"tcp","fromPort":5432,"toPort":5432,"ipv6CidrBlocks":["::/0"]}]}"""), "db");
        });

        Assert.Equal(["db", "sg"], Run(GuardrailRules.NoPublicNetworkAccess, plan).Select(v => v.Resource).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rule_ids_are_unique_and_follow_the_naming_scheme()
    {
        Assert.Equal(GuardrailRules.All.Length, GuardrailRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(GuardrailRules.All, r => Assert.Matches("^PLT[0-9]{3}-[a-z-]+$", r.Id));
    }
}
