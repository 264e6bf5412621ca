namespace Platform.Cli.Tests;

public sealed class TargetsTests : IDisposable
{
    private const string Targets = """
        targets:
          eu-dev:
            kubeContext: eks-eu-dev
        """;

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private void WriteSpec(string target) =>
        _cli.Write("env.yaml", CliHarness.KubernetesSpec.Replace("tier: dev", $"tier: dev\n  target: {target}", StringComparison.Ordinal));

    [Fact]
    public async Task Without_a_targets_file_only_the_default_target_exists()
    {
        WriteSpec("eu-dev");

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spec.target: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("default", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_targets_option_names_the_file()
    {
        WriteSpec("eu-dev");
        _cli.Write("conf/targets.yaml", Targets);

        var result = await _cli.RunAsync(["validate", "env.yaml", "--targets", "conf/targets.yaml"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_environment_variable_names_the_file_when_the_option_is_absent()
    {
        WriteSpec("eu-dev");
        _cli.Environment["PLATFORM_TARGETS"] = _cli.Write("elsewhere/t.yaml", Targets);

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_file_in_the_working_directory_is_used_last()
    {
        WriteSpec("eu-dev");
        _cli.Write("platform.targets.yaml", Targets);

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_option_wins_over_the_environment_variable()
    {
        WriteSpec("eu-dev");
        _cli.Environment["PLATFORM_TARGETS"] = "does-not-exist.yaml";
        _cli.Write("t.yaml", Targets);

        var result = await _cli.RunAsync(["validate", "env.yaml", "--targets", "t.yaml"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_named_targets_file_that_is_missing_is_a_usage_error()
    {
        WriteSpec("default");
        _cli.Environment["PLATFORM_TARGETS"] = "does-not-exist.yaml";

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PLATFORM_TARGETS", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_targets_file_is_a_usage_error_naming_the_file()
    {
        WriteSpec("default");
        _cli.Write("t.yaml", "targets:\n  eu-dev:\n    kubeContexts: typo\n");

        var result = await _cli.RunAsync(["validate", "env.yaml", "--targets", "t.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("t.yaml", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("targets.eu-dev", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
