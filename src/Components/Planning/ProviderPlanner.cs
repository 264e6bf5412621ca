using System.Collections.Immutable;

namespace Platform.Components.Planning;

/// <summary>
/// Adds the explicit providers every other resource uses, pinned to the target's provider versions.
/// Target facts that differ per account or cluster (context, region) become stack config, not literals.
/// </summary>
internal static class ProviderPlanner
{
    public const string KubeContextKey = "kubernetesContext";
    public const string KubeconfigKey = "kubeconfig";
    public const string AwsRegionKey = "awsRegion";
    public const string AwsProfileKey = "awsProfile";
    public const string AwsAccountKey = "awsAccountId";

    /// <summary>
    /// Every key above: the keys the provider planner may declare, which no other config entry (a service's secret
    /// env value) may take. Kept next to the constants so a new key is listed where it is added.
    /// </summary>
    public static ImmutableArray<string> ConfigKeys { get; } = [KubeContextKey, KubeconfigKey, AwsRegionKey, AwsProfileKey, AwsAccountKey];

    public static void Plan(PlanContext context)
    {
        var target = context.Target;
        var builder = context.Builder;
        builder.AddComponent(context.Spec.Name, PlanComponent.EnvironmentType);

        var k8s = PlanValue.Map.Empty;
        if (target.KubeContext is { } kubeContext)
        {
            builder.AddConfig(new(KubeContextKey, "string", false, "Kubeconfig context of the target cluster.", null), new(kubeContext, false));
            k8s = k8s.With("context", PlanValue.Config(KubeContextKey));
        }

        if (target.Kubeconfig is { } kubeconfig)
        {
            builder.AddConfig(new(KubeconfigKey, "string", false, "Path or contents of the kubeconfig for the target cluster.", null), new(kubeconfig, false));
            k8s = k8s.With("kubeconfig", PlanValue.Config(KubeconfigKey));
        }

        // Server-side apply lets several field managers co-own objects, and surfaces conflicts instead of overwriting
        // (except on fixed-count Deployments, which force their declared fields: ServiceResources.PlanDeployment).
        // ConfigMaps and Secrets stay immutable whatever PULUMI_K8S_ENABLE_*_MUTABLE the host sets (the provider's own
        // flag wins over the variable): a changed value must replace the autonamed object under a new name, which is
        // what rolls the pods that load it (KubernetesPlanner.AutonamedMetadata).
        k8s = k8s.With("enableServerSideApply", true).With("enableConfigMapMutable", false).With("enableSecretMutable", false);
        builder.Add(LogicalNames.KubernetesProvider, "pulumi:providers:kubernetes", k8s, null,
            PlanResourceOptions.None with { Version = target.ProviderVersions.Kubernetes });

        if (!context.UsesAws)
        {
            return;
        }

        var aws = PlanValue.Map.Empty;
        if (target.AwsRegion is { } region)
        {
            builder.AddConfig(new(AwsRegionKey, "string", false, "AWS region of the target account.", null), new(region, false));
            aws = aws.With("region", PlanValue.Config(AwsRegionKey));
        }

        if (target.AwsProfile is { } profile)
        {
            builder.AddConfig(new(AwsProfileKey, "string", false, "AWS named profile for the target account.", null), new(profile, false));
            aws = aws.With("profile", PlanValue.Config(AwsProfileKey));
        }

        if (target.AwsAccountId is { } account)
        {
            // Refuse to deploy anywhere but the target's account, whatever credentials are in scope.
            builder.AddConfig(new(AwsAccountKey, "string", false, "The only AWS account this stack may deploy to.", null), new(account, false));
            aws = aws.With("allowedAccountIds", new PlanValue.List([PlanValue.Config(AwsAccountKey)]));
        }

        aws = aws.With("defaultTags", PlanValue.From(new Dictionary<string, object> { ["tags"] = context.Tags }));
        builder.Add(LogicalNames.AwsProvider, "pulumi:providers:aws", aws, null,
            PlanResourceOptions.None with { Version = target.ProviderVersions.Aws });

        if (context.Spec.Resources.Any(r => context.KindOf(r).UsesRandomProvider))
        {
            builder.Add(LogicalNames.RandomProvider, "pulumi:providers:random", PlanValue.Map.Empty, null,
                PlanResourceOptions.None with { Version = target.ProviderVersions.Random });
        }
    }

}
