using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Environments;

public sealed class EnvironmentCompilerTests
{
    [Fact]
    public async Task CompileDeployed_SkipsTheTargetSettingsGate_ThatCompileEnforces()
    {
        using var factory = new PlatformFactory();
        var compiler = factory.Services.GetRequiredService<EnvironmentCompiler>();
        var spec = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"), TestContext.Current.CancellationToken);

        var gated = compiler.Compile(spec);
        var deployed = compiler.CompileDeployed(spec);

        Assert.Null(gated.Environment);
        Assert.Contains(gated.Errors, e => e.Path == "spec.target");
        Assert.NotNull(deployed.Environment);
        Assert.Empty(deployed.Errors);
        Assert.NotEmpty(deployed.Environment.Program.UnsetConfigKeys);
    }

    [Fact]
    public void CompileDeployed_StillRejectsASpecThatDoesNotParse()
    {
        using var factory = new PlatformFactory();
        var compiler = factory.Services.GetRequiredService<EnvironmentCompiler>();

        Assert.Null(compiler.CompileDeployed("kind: Nonsense").Environment);
    }
}
