namespace Platform.Components.Planning;

/// <summary>
/// Logical (Pulumi) resource names shared between golden paths, so one path can refer to what another creates
/// (a service account annotated with its IAM role, a deployment reading a database's connection secret).
/// </summary>
public static class LogicalNames
{
    /// <summary>The explicit Kubernetes provider.</summary>
    public const string KubernetesProvider = "k8s-provider";

    /// <summary>The explicit AWS provider.</summary>
    public const string AwsProvider = "aws-provider";

    /// <summary>The explicit Random provider.</summary>
    public const string RandomProvider = "random-provider";

    /// <summary>The environment's namespace.</summary>
    public const string Namespace = "namespace";

    /// <summary>A service's Kubernetes service account.</summary>
    public static string ServiceAccount(string service) => $"{service}-service-account";

    /// <summary>A service's IAM role (workload identity).</summary>
    public static string Role(string service) => $"{service}-role";

    /// <summary>
    /// The Kubernetes Secret with a database's connection details, mounted by every service that uses it. Its object
    /// name is Pulumi's autoname (<c>{database}-connection-</c> and a random suffix), new whenever its data changes:
    /// read it from the Secret's <c>metadata.name</c> output.
    /// </summary>
    public static string ConnectionSecret(string database) => $"{database}-connection";
}
