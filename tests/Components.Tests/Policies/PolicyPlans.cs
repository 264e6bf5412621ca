using System.Text.Json.Nodes;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Policies;

/// <summary>Small plans built by hand, so each guardrail is tested on exactly the inputs it reads.</summary>
internal static class PolicyPlans
{
    public static ResourcePlan Build(Tier tier, Action<PlanBuilder> add)
    {
        var builder = new PlanBuilder();
        add(builder);
        return builder.Build("shop-dev", tier, "default");
    }

    public static PlanValue.Map Json(string json) => (PlanValue.Map)PlanValue.FromJson(JsonNode.Parse(json));

    public static PlanValue.Map Tags { get; } = Json("""{"team":"t","environment":"e","tier":"dev","cost-center":"c","managed-by":"platform"}""");

    public static void Bucket(PlanBuilder builder, string name = "files-bucket", bool publicBlock = true, bool encrypted = true, bool versioned = true)
    {
        builder.Add(name, AwsTypes.Bucket, PlanValue.Map.Empty.With("tags", Tags), "files");
        var bucket = PlanValue.Ref(name, "bucket");
        if (publicBlock)
        {
            builder.Add(name + "-pab", AwsTypes.BucketPublicAccessBlock, Json("""{"blockPublicAcls":true,"blockPublicPolicy":true,"ignorePublicAcls":true,"restrictPublicBuckets":true}""").With("bucket", bucket), "files");
        }

        if (encrypted)
        {
            builder.Add(name + "-sse", AwsTypes.BucketEncryption, Json("""{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"AES256"}}]}""").With("bucket", bucket), "files");
        }

        if (versioned)
        {
            builder.Add(name + "-versioning", AwsTypes.BucketVersioning, Json("""{"versioningConfiguration":{"status":"Enabled"}}""").With("bucket", bucket), "files");
        }
    }

    /// <summary>A Deployment whose pod runs one container, with overrides applied to the container and pod spec.</summary>
    public static PlanValue.Map Deployment(string container = "", string pod = "", string spec = "")
    {
        var json = $$"""
        {
          "metadata": { "name": "web" },
          "spec": {
            {{spec}}
            "selector": { "matchLabels": { "app": "web" } },
            "template": {
              "metadata": { "labels": { "app": "web" } },
              "spec": {
                {{(pod.Length > 0 ? pod : "\"securityContext\": { \"runAsNonRoot\": true, \"runAsUser\": 1000 }")}},
                "containers": [ {
                  "name": "web",
                  {{(container.Length > 0 ? container : "\"image\": \"registry.example.com/web:1.0.0\", \"resources\": { \"requests\": { \"cpu\": \"250m\", \"memory\": \"256Mi\" }, \"limits\": { \"cpu\": \"500m\", \"memory\": \"512Mi\" } }")}}
                } ]
              }
            }
          }
        }
        """;
        return Json(json);
    }

    public static ResourcePlan WithDeployment(Tier tier, PlanValue.Map deployment, Action<PlanBuilder>? more = null) =>
        Build(tier, b =>
        {
            b.Add("web-deployment", KubernetesTypes.Deployment, deployment, "web");
            more?.Invoke(b);
        });

    public static IReadOnlyList<PolicyViolation> Run(PolicyRule rule, ResourcePlan plan) => rule.Evaluate(plan);
}
