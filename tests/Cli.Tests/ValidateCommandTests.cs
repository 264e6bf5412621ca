using Platform.Components.Documents;
namespace Platform.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_valid_spec_prints_valid_and_exits_0()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("valid\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task An_invalid_spec_lists_every_error_with_path_and_fix_on_stderr_and_exits_1()
    {
        _cli.Write("env.yaml", CliHarness.InvalidSpec);

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        var lines = result.Stderr.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("spec.services[0].image: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("spec.services[0].uses[0]: ", StringComparison.Ordinal));
        Assert.Matches(@"^\d+ errors: the spec is invalid\.$", lines[^1]);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Structural_errors_are_all_reported()
    {
        var result = await _cli.RunAsync(["validate", "-"], "kind: Nope\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("apiVersion: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("kind: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("metadata: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spec_is_read_from_stdin_with_a_dash()
    {
        var result = await _cli.RunAsync(["validate", "-"], CliHarness.KubernetesSpec);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("valid", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_spec_is_accepted()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(YamlJson.Parse(CliHarness.KubernetesSpec));
        _cli.Write("env.json", json);

        var result = await _cli.RunAsync(["validate", "env.json"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task A_missing_spec_file_is_a_usage_error_with_exit_2()
    {
        var result = await _cli.RunAsync(["validate", "missing.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: Spec file not found: missing.yaml", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("validate")]
    [InlineData("frobnicate x.yaml")]
    [InlineData("validate a.yaml --bogus")]
    [InlineData("plan a.yaml --json=maybe")]
    public async Task Bad_arguments_are_usage_errors_with_exit_2(string commandLine)
    {
        var result = await _cli.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"Run 'platform[a-z ]* --help'", result.Stderr); // the command's own help when it is known
    }

    [Fact]
    public async Task Help_goes_to_stdout_with_exit_0()
    {
        var result = await _cli.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("validate", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("render", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("platform [command]", result.Stdout, StringComparison.Ordinal);
    }
}
