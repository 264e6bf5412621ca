namespace Platform.Cli.Tests;

/// <summary>
/// A directory where a file is needed is refused as a directory (exit 2), not reported "not found" nor, for a settings
/// file named by a variable, silently skipped; and a file where a directory is needed is refused as a file.
/// </summary>
public sealed class FileArgumentTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("validate")]
    [InlineData("plan")]
    public async Task A_directory_as_the_spec_is_refused_as_a_directory(string command)
    {
        _cli.Directory.CreateSubdirectory("specs");

        var result = await _cli.RunAsync([command, "specs"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Spec file specs is a directory; a spec file (YAML or JSON) is needed: name the file itself.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_as_the_targets_file_is_refused_naming_the_option()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Directory.CreateSubdirectory("conf");

        var result = await _cli.RunAsync(["validate", "env.yaml", "--targets", "conf"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Targets file conf (from --targets) is a directory; a YAML file is needed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_named_by_the_policies_variable_is_refused_naming_the_variable()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Directory.CreateSubdirectory("conf");
        _cli.Environment[CliInputs.PoliciesVariable] = "conf";

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: Policy settings file conf (from {CliInputs.PoliciesVariable}) is a directory", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_as_the_config_file_is_refused_as_a_directory()
    {
        var conf = _cli.Directory.CreateSubdirectory("xdg/platform/config.json");
        _cli.Environment["XDG_CONFIG_HOME"] = Path.Combine(_cli.Directory.FullName, "xdg");

        var result = await _cli.RunAsync(["env", "list"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: Config file {conf.FullName} is a directory; a JSON file is needed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_as_the_render_output_directory_is_refused_as_a_file()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);
        _cli.Write("out", "not a directory");

        var result = await _cli.RunAsync(["render", "env.yaml", "--out", "out"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: --out out is a file; name a directory for Pulumi.yaml (it is created if missing).", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("not a directory", _cli.Read("out"));
    }

    [Fact]
    public async Task A_file_as_the_init_directory_is_refused_as_a_file()
    {
        _cli.Write("app.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");

        var result = await _cli.RunAsync(["init", "app.csproj"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: app.csproj is a file; name the project's directory", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", result.Stderr, StringComparison.Ordinal);
    }
}
