using Platform.Components.Targets;

namespace Platform.Components.Tests.Targets;

public sealed class TargetSettingsTests
{
    [Fact]
    public void The_default_target_exists_with_no_configuration()
    {
        Assert.True(TargetSettings.Default.TryGet("default", out var target));
        Assert.Null(target.KubeContext);
        Assert.Null(target.AwsRegion);
        Assert.Equal(DeploymentTarget.DefaultBaseDomain, target.BaseDomain);
        Assert.Equal(ProviderVersions.Default, target.ProviderVersions);
        Assert.Equal(("7.48.0", "4.34.2", "4.21.2"), (target.ProviderVersions.Aws, target.ProviderVersions.Kubernetes, target.ProviderVersions.Random));
    }

    [Fact]
    public void A_targets_file_defines_named_targets_and_keeps_default()
    {
        var settings = TargetSettings.Parse("""
            targets:
              eu-staging:
                kubeContext: eks-eu-staging
                awsRegion: eu-west-1
                baseDomain: staging.example.com
                privateSubnetIds: [subnet-a, subnet-b]
                oidcProviderUrl: https://oidc.eks.eu-west-1.amazonaws.com/id/ABC
                providerVersions: { aws: 7.50.0 }
            """);

        Assert.Equal(["default", "eu-staging"], settings.Names);
        Assert.True(settings.TryGet("eu-staging", out var t));
        Assert.Equal("eks-eu-staging", t.KubeContext);
        Assert.Equal("eu-west-1", t.AwsRegion);
        Assert.Equal("staging.example.com", t.BaseDomain);
        Assert.Equal(["subnet-a", "subnet-b"], t.PrivateSubnetIds);
        Assert.Equal("oidc.eks.eu-west-1.amazonaws.com/id/ABC", t.OidcProviderUrl);
        Assert.Equal("7.50.0", t.ProviderVersions.Aws);
        Assert.Equal(ProviderVersions.Default.Kubernetes, t.ProviderVersions.Kubernetes);
        Assert.Equal("nginx", t.IngressClass);
    }

    [Fact]
    public void Unknown_target_fields_are_errors_naming_the_target()
    {
        var ex = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() => TargetSettings.Parse("targets:\n  eu:\n    region: eu-west-1\n"));
        Assert.StartsWith("targets.eu.region: Unknown field 'region'. Did you mean 'awsRegion'?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("awsRegion", ex.Message, StringComparison.Ordinal);
    }

    // Workload roles' trust policies are JSON text built around these two values: a quote or a space in either would
    // make a policy IAM rejects at deploy time, so the targets file is refused, naming the field and the fix.
    [Theory]
    [InlineData("oidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/A\"B", "IAM OIDC provider ARN")]
    [InlineData("oidcProviderArn", "arn:aws:iam::1234:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC", "IAM OIDC provider ARN")]
    [InlineData("oidcProviderArn", "oidc.eks.eu-west-1.amazonaws.com/id/ABC", "IAM OIDC provider ARN")]
    [InlineData("oidcProviderUrl", "oidc.eks.eu-west-1.amazonaws.com/id/A B", "OIDC issuer")]
    [InlineData("oidcProviderUrl", "https://oidc.eks.eu-west-1.amazonaws.com/id/AB\\\\C", "OIDC issuer")]
    public void Malformed_oidc_provider_settings_are_errors_naming_the_field(string field, string value, string expected)
    {
        var ex = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() =>
            TargetSettings.Parse($"targets:\n  eu:\n    {field}: \"{value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n"));

        Assert.StartsWith($"targets.eu.{field}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("e.g. ", ex.Message, StringComparison.Ordinal);
    }

    // Pulumi YAML reads a provider's version with blang/semver's ParseTolerant (v3.5.1) and fails the whole program on
    // anything else (pkg/pulumiyaml/semver.go in pulumi/pulumi-yaml): refused where the targets file names it.
    [Theory]
    [InlineData("aws", "latest", "7.48.0")]
    [InlineData("kubernetes", "4.x", "4.34.2")]
    [InlineData("random", "4.21-beta", "4.21.2")]
    [InlineData("aws", "7.48.0.1", "7.48.0")]
    [InlineData("aws", ">=7.0.0", "7.48.0")]
    [InlineData("aws", "07.48.0", "7.48.0")] // blang/semver v3.5.1 keeps leading zeros, and Parse refuses them
    [InlineData("aws", "7.48.00", "7.48.0")]
    [InlineData("kubernetes", "4.34.2-01", "4.34.2")]
    [InlineData("aws", "V7.48.0", "7.48.0")]
    [InlineData("aws", "٧.٤٨.٠", "7.48.0")]
    public void A_provider_version_pulumi_cannot_parse_is_an_error_naming_the_field(string provider, string version, string example)
    {
        var ex = Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() =>
            TargetSettings.Parse($"targets:\n  eu:\n    providerVersions:\n      {provider}: \"{version}\"\n"));

        Assert.StartsWith($"targets.eu.providerVersions.{provider}: '{version}' is not a version Pulumi can pin.", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"e.g. {provider}: \"{example}\".", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7.48.0")]
    [InlineData("v7.48.0")]
    [InlineData("7.48")]
    [InlineData("7")]
    [InlineData("7.49.0-alpha.1+build.5")]
    [InlineData("7.49.0-rc.0")]
    [InlineData("0.0.1")]
    public void A_provider_version_pulumi_reads_tolerantly_is_kept_as_written(string version)
    {
        var settings = TargetSettings.Parse($"targets:\n  eu:\n    providerVersions:\n      aws: \"{version}\"\n");

        Assert.True(settings.TryGet("eu", out var target));
        Assert.Equal(version, target.ProviderVersions.Aws);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")]
    [InlineData("arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/ABC")]
    [InlineData("arn:aws-cn:iam::123456789012:oidc-provider/issuer.example.com:8443/realm", "issuer.example.com:8443/realm")]
    public void Oidc_provider_settings_in_their_aws_forms_are_read(string arn, string issuer)
    {
        var settings = TargetSettings.Parse($"targets:\n  eu:\n    oidcProviderArn: {arn}\n    oidcProviderUrl: {issuer}\n");

        Assert.True(settings.TryGet("eu", out var target));
        Assert.Equal(arn, target.OidcProviderArn);
        Assert.Equal(issuer.Replace("https://", "", StringComparison.Ordinal), target.OidcProviderUrl);
    }

    [Fact]
    public void A_file_without_targets_is_an_error_and_a_missing_file_is_the_default()
    {
        Assert.Throws<Platform.Components.Settings.SettingsFormatException>(() => TargetSettings.Parse("clusters: {}"));
        Assert.Same(TargetSettings.Default, TargetSettings.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString())));
    }

    [Fact]
    public void The_example_targets_file_lets_the_readme_example_compile_with_every_fact_set()
    {
        var settings = TargetSettings.Load(Path.Combine(AppContext.BaseDirectory, "examples", "platform.targets.yaml"));
        var result = EnvironmentPipeline.Run(TestSpecs.CheckoutStagingYaml, settings);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal("123456789012", result.Target!.AwsAccountId);
        Assert.Empty(Platform.Components.Rendering.PulumiYamlRenderer.Render(result.Plan!).UnsetConfigKeys);
    }
}
