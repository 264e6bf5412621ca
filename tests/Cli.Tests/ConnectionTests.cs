namespace Platform.Cli.Tests;

/// <summary>
/// Where the client commands and <c>deploy</c> find the Automation API: an invalid URL is refused as invalid, naming
/// where it came from and the form expected (it was reported as if no URL had been given).
/// </summary>
public sealed class ConnectionTests : IDisposable
{
    private const string Expected = "is not a valid Automation API URL: give its base URL with http:// or https:// and a host, e.g. https://platform.example.com.";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://x")]
    [InlineData("platform.example.com:443")]
    public async Task An_invalid_url_option_is_refused_as_invalid(string url)
    {
        foreach (var args in new[] { ["env", "list", "--url", url], new[] { "deploy", "shop-dev", "web", "registry.example.com/web/shop:2.1.0", "--url", url } })
        {
            var result = await _cli.RunAsync(args);

            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Contains($"error: --url '{url}' {Expected}", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Name the Automation API", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_invalid_url_is_never_echoed_with_what_precedes_an_at_sign()
    {
        var result = await _cli.RunAsync(["env", "list", "--url", "https//deployer:s3cr3t-token@platform.example.com"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: --url '…@platform.example.com' {Expected}", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-token", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_url_variable_is_refused_naming_the_variable()
    {
        _cli.Environment["PLATFORM_URL"] = "localhost";

        var result = await _cli.RunAsync(["catalog"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: $PLATFORM_URL 'localhost' {Expected}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_url_in_the_config_file_is_refused_naming_the_file()
    {
        var config = _cli.Write("config.json", """{ "url": "ftp://platform.example.com" }""");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _cli.Environment["PLATFORM_CONFIG"] = config;

        var result = await _cli.RunAsync(["costs"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: \"url\" in {config} 'ftp://platform.example.com' {Expected}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_url_anywhere_still_asks_for_one()
    {
        var result = await _cli.RunAsync(["env", "list"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Name the Automation API with --url, $PLATFORM_URL or \"url\" in", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_the_variable_names_must_exist()
    {
        _cli.Environment["PLATFORM_CONFIG"] = "missing/config.json";

        var result = await _cli.RunAsync(["env", "list"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var path = Path.Combine(_cli.Directory.FullName, "missing", "config.json");
        Assert.Contains($"error: Config file not found: {path} (from $PLATFORM_CONFIG); create it or unset PLATFORM_CONFIG.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_config_file_may_be_absent()
    {
        _cli.Environment["XDG_CONFIG_HOME"] = Path.Combine(_cli.Directory.FullName, "xdg");

        var result = await _cli.RunAsync(["env", "list"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: Name the Automation API with --url", result.Stderr, StringComparison.Ordinal);
    }
}
