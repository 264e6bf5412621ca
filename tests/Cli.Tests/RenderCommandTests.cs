using YamlDotNet.RepresentationModel;

namespace Platform.Cli.Tests;

public sealed class RenderCommandTests : IDisposable
{
    private const string Targets = """
        targets:
          default:
            kubeContext: kind-dev
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Fact]
    public async Task Render_writes_the_program_and_the_stack_settings()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Write("platform.targets.yaml", Targets);

        var result = await _cli.RunAsync(["render", "env.yaml", "--out", "out/shop"]);

        Assert.Equal(0, result.ExitCode);
        var program = Load(_cli.Read("out/shop/Pulumi.yaml"));
        Assert.Equal("platform-shop-dev", ((YamlScalarNode)program["name"]).Value);
        Assert.Equal("yaml", ((YamlScalarNode)program["runtime"]).Value);
        Assert.True(((YamlMappingNode)program["resources"]).Children.ContainsKey("web-deployment"));
        var settings = Load(_cli.Read("out/shop/Pulumi.shop-dev.yaml"));
        Assert.Equal("kind-dev", ((YamlScalarNode)((YamlMappingNode)settings["config"])["platform-shop-dev:kubernetesContext"]).Value);
        Assert.Contains("Pulumi.yaml", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_prints_the_secret_config_commands_without_values()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["render", "env.yaml", "-o", "out"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"pulumi config set --secret --stack shop-dev \w+", result.Stdout);
        Assert.DoesNotContain("correct-horse-battery-staple", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("correct-horse-battery-staple", _cli.Read("out/Pulumi.yaml"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cli.Directory.FullName, "out", "Pulumi.shop-dev.yaml")));
    }

    [Fact]
    public async Task Rendering_twice_gives_the_same_bytes()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        await _cli.RunAsync(["render", "env.yaml", "--out", "a"]);
        await _cli.RunAsync(["render", "env.yaml", "--out", "b"]);

        Assert.Equal(_cli.Read("a/Pulumi.yaml"), _cli.Read("b/Pulumi.yaml"));
    }

    [Fact]
    public async Task Rendering_again_keeps_secrets_pulumi_wrote_into_the_stack_file()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Write("platform.targets.yaml", Targets);
        _cli.Write("out/Pulumi.shop-dev.yaml", """
            encryptionsalt: v1:abc:def
            config:
              platform-shop-dev:webSessionKey:
                secure: v1:ciphertext
              platform-shop-dev:kubernetesContext: old-context
            """);

        var result = await _cli.RunAsync(["render", "env.yaml", "--out", "out"]);

        Assert.Equal(0, result.ExitCode);
        var settings = Load(_cli.Read("out/Pulumi.shop-dev.yaml"));
        Assert.Equal("v1:abc:def", ((YamlScalarNode)settings["encryptionsalt"]).Value);
        var config = (YamlMappingNode)settings["config"];
        Assert.Equal("v1:ciphertext", ((YamlScalarNode)((YamlMappingNode)config["platform-shop-dev:webSessionKey"])["secure"]).Value);
        Assert.Equal("kind-dev", ((YamlScalarNode)config["platform-shop-dev:kubernetesContext"]).Value);
    }

    [Fact]
    public async Task An_invalid_spec_writes_nothing()
    {
        _cli.Write("env.yaml", CliHarness.InvalidSpec);

        var result = await _cli.RunAsync(["render", "env.yaml", "--out", "out"]);

        Assert.Equal(1, result.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_cli.Directory.FullName, "out")));
    }

    [Fact]
    public async Task An_unwritable_output_is_a_usage_error()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Write("taken", "a file, not a directory");

        // A directory inside a file cannot be made (a file as --out itself is refused before: FileArgumentTests).
        var result = await _cli.RunAsync(["render", "env.yaml", "--out", "taken/out"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: Cannot write to ", result.Stderr, StringComparison.Ordinal);
    }
}
