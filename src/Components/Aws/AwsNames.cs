using Platform.Components.Planning;

namespace Platform.Components.Aws;

/// <summary>
/// Names the AWS golden path gives outside any resource kind: a service's workload identity (IAM role and its
/// policy). Each kind names its own resources in its folder (e.g. <c>Resources/Bucket/BucketNames.cs</c>). Physical
/// names start with the environment's name, so two environments in one account never collide.
/// </summary>
internal static class AwsNames
{
    // Logical names (the contract other golden paths and tests rely on).
    public static string RolePolicy(string service) => $"{service}-role-policy";

    /// <summary>An IAM role name (at most 64 characters).</summary>
    public static string RoleName(string environment, string service) => PhysicalName.Create(PhysicalName.IamRole, environment, service);
}
