using Platform.Components.Pulumi.Tests.Testing;
using Platform.Components.Targets;

namespace Platform.Components.Pulumi.Tests;

public sealed class PlatformEnvironmentArgsTests
{
    private const string Minimal = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: tiny-dev, team: web, costCenter: cc-1 }
        spec:
          tier: dev
          target: eu-staging
          services:
            - { name: api, type: web, image: "registry.example.com/web/api:1.0.0" }
        """;

    [Fact]
    public void Resolve_WithoutASpec_OrWithTwo_AsksForExactlyOne()
    {
        Assert.Throws<ArgumentException>(() => new PlatformEnvironmentArgs().Resolve());
        Assert.Throws<ArgumentException>(() => new PlatformEnvironmentArgs { Spec = BindingSpecs.ShopDev(), SpecText = Minimal }.Resolve());
    }

    [Fact]
    public void Resolve_ASpecNamingAnUnknownTarget_FailsWithTheValidatorsErrors()
    {
        var error = Assert.Throws<EnvironmentSpecException>(() => new PlatformEnvironmentArgs { SpecText = Minimal }.Resolve());
        Assert.NotEmpty(error.Errors);
        Assert.Contains(error.Errors, e => e.Path.Contains("target", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_WithATarget_DeploysTheSpecThere()
    {
        var target = DeploymentTarget.Default with { Name = "eu-staging", BaseDomain = "staging.example.com" };
        var (spec, resolved) = new PlatformEnvironmentArgs { SpecText = Minimal, Target = target }.Resolve();
        Assert.Equal("eu-staging", spec.Target);
        Assert.Same(target, resolved);
    }

    [Fact]
    public void Resolve_MalformedText_ReportsParseErrors()
    {
        var error = Assert.Throws<EnvironmentSpecException>(() => new PlatformEnvironmentArgs { SpecText = "kind: Nope" }.Resolve());
        Assert.NotEmpty(error.Errors);
        Assert.Contains("(text)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SpecPath_ReadsTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"spec-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Minimal.Replace("eu-staging", "default", StringComparison.Ordinal));
        try
        {
            Assert.Equal("tiny-dev", new PlatformEnvironmentArgs { SpecPath = path }.Resolve().Spec.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
