namespace Platform.Cli.Tests;

/// <summary>
/// A word that starts with '-' but is no option of the command is refused as an unknown option (exit 2), with the
/// closest option it has; it was read as a path ("Spec file not found: --bogus").
/// </summary>
public sealed class UnknownOptionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("render --bogus --out out", "--bogus")]
    [InlineData("validate --bogus", "--bogus")]
    [InlineData("plan -x", "-x")]
    [InlineData("init --bogus", "--bogus")]
    public async Task An_unknown_option_in_an_arguments_place_is_refused_naming_it(string commandLine, string unknown)
    {
        var args = commandLine.Split(' ');

        var result = await _cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: Unknown option '{unknown}' for 'platform {args[0]}'.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Run 'platform {args[0]} --help' for its options.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_misspelt_option_is_refused_with_the_one_meant()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["validate", "env.yaml", "--tragets", "targets.yaml"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Unknown option '--tragets' for 'platform validate'; did you mean '--targets'?", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized", result.Stderr, StringComparison.Ordinal); // 'targets.yaml' left over only because of it
    }

    [Fact]
    public async Task A_subcommands_option_is_suggested_under_its_full_command()
    {
        var result = await _cli.RunAsync(["env", "history", "checkout-staging", "--limt", "5"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Unknown option '--limt' for 'platform env history'; did you mean '--limit'?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_double_dash_a_word_starting_with_a_dash_is_a_path()
    {
        _cli.Write("-env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["validate", "--", "-env.yaml"]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task A_lone_dash_still_reads_stdin()
    {
        var result = await _cli.RunAsync(["validate", "-"], CliHarness.KubernetesSpec);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
