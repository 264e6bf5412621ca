using Platform.Components.Planning;
using Platform.Components.Resources;

namespace Platform.Components.Aws;

/// <summary>
/// Adds the environment's AWS resources to a plan: one golden path per <c>resources:</c> entry (planned by its
/// <see cref="Resources.ResourceKind"/>), workload identity for every service that uses one, and the target facts they need as stack config.
/// Runs after the Kubernetes planner (the connection secrets go into the namespace it creates).
/// </summary>
internal static class AwsPlanner
{
    public static void Plan(PlanContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.UsesAws)
        {
            return;
        }

        DeclareConfig(context);
        LogRetention.Plan(context);
        foreach (var resource in context.Spec.Resources)
        {
            ResourceKinds.Of(resource).Plan(context, resource);
        }

        foreach (var service in context.Spec.Services)
        {
            WorkloadIdentity.Plan(context, service);
        }
    }

    // Each key is declared only when something reads it. A target without the value still declares the entry,
    // with no stack value: the stack must set it before `pulumi up`, and the CLI and API report it missing.
    private static void DeclareConfig(PlanContext context)
    {
        var target = context.Target;
        var builder = context.Builder;
        if (context.Spec.Resources.Any(r => ResourceKinds.Of(r).UsesPrivateNetwork))
        {
            builder.AddConfig(
                new(AwsConfigKeys.VpcId, "string", false, "VPC of the target cluster; databases are created in it.", null),
                Value(target.VpcId));
            builder.AddConfig(
                new(AwsConfigKeys.PrivateSubnetIds, "List<String>", false, "Private subnets of the target VPC for database subnet groups.", null),
                target.PrivateSubnetIds.IsEmpty ? null : new StackConfigValue(JsonStrings.List(target.PrivateSubnetIds), false));
            builder.AddConfig(
                new(AwsConfigKeys.ClusterSecurityGroupId, "string", false, "Security group of the cluster's nodes and pods; the only source databases admit.", null),
                Value(target.ClusterSecurityGroupId));
        }

        if (context.Spec.Services.Any(context.NeedsWorkloadIdentity))
        {
            builder.AddConfig(
                new(AwsConfigKeys.OidcProviderArn, "string", false, "ARN of the cluster's IAM OIDC provider, trusted by workload roles.", null),
                Value(target.OidcProviderArn));
            builder.AddConfig(
                new(AwsConfigKeys.OidcProviderUrl, "string", false, "Issuer of the cluster's OIDC provider, without https://.", null),
                Value(target.OidcProviderUrl));
        }
    }

    private static StackConfigValue? Value(string? value) => value is null ? null : new StackConfigValue(value, false);
}
