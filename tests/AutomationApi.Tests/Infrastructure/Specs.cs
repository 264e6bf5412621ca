namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>Spec texts for API tests.</summary>
public static class Specs
{
    /// <summary>The secret env value every spec here carries; it must never come back.</summary>
    public const string Secret = "s3cr3t-Hunter2-value";

    /// <summary>A small dev environment: one web service with a secret, as YAML.</summary>
    public static string Dev(string name, string team = "payments", string image = "registry.example.com/payments/api:1.0.0", string? ttl = null) => $$"""
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: {{name}}, team: {{team}}, costCenter: cc-1234 }
        spec:
          tier: dev
          target: default
        {{(ttl is null ? "" : $"  ttl: {ttl}\n")}}  services:
            - name: api
              type: web
              image: {{image}}
              port: 8080
              env:
                LOG_LEVEL: info
                DB_PASSWORD: { secret: {{Secret}} }
        """;

    /// <summary>The same environment as JSON.</summary>
    public static string DevJson(string name) => $$"""
        {
          "apiVersion": "platform/v1",
          "kind": "Environment",
          "metadata": { "name": "{{name}}", "team": "payments", "costCenter": "cc-1234" },
          "spec": {
            "tier": "dev",
            "target": "default",
            "services": [
              { "name": "api", "type": "web", "image": "registry.example.com/payments/api:1.0.0", "port": 8080,
                "env": { "DB_PASSWORD": { "secret": "{{Secret}}" } } }
            ]
          }
        }
        """;

    /// <summary>A targets file whose <c>default</c> target has every fact the README example needs.</summary>
    public const string CompleteTargets = """
        targets:
          default:
            awsRegion: eu-west-1
            vpcId: vpc-0abc
            privateSubnetIds: [subnet-1, subnet-2]
            clusterSecurityGroupId: sg-0abc
            oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC
            oidcProviderUrl: oidc.eks.eu-west-1.amazonaws.com/id/ABC
        """;
}
