namespace Platform.Cli.Tests;

/// <summary>An option's value of the wrong kind is refused naming the option and the kind of value, not a CLR type.</summary>
public sealed class OptionValueTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("x")]
    [InlineData("2.5")]
    [InlineData("99999999999")]
    public async Task A_limit_that_is_not_a_whole_number_says_so(string limit)
    {
        var result = await _cli.RunAsync(["env", "history", "checkout-staging", "--limit", limit, "--url", "http://127.0.0.1:9"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: --limit '{limit}' is not a whole number; give how many operations to list, e.g. --limit 20.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
    }
}
