namespace Platform.Cli.Tests;

/// <summary><c>PLATFORM_CLI_STARTUP_REPORT</c>: off unless asked for; when on, one line per figure after the command.</summary>
public sealed class StartupReportTests
{
    [Fact]
    public void Is_off_without_the_variable_and_for_other_values()
    {
        Assert.Null(StartupReport.StartIfRequested(_ => null));
        Assert.Null(StartupReport.StartIfRequested(_ => "0"));
        Assert.Null(StartupReport.StartIfRequested(name => name == "PLATFORM_TARGETS" ? "1" : null));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    public void Reports_cpu_jit_gc_settings_and_the_assemblies_loaded(string value)
    {
        var report = StartupReport.StartIfRequested(name => name == StartupReport.Variable ? value : null);
        Assert.NotNull(report);

        using var output = new StringWriter();
        report.WriteTo(output);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("startup-report: ", l, StringComparison.Ordinal));
        Assert.Matches(@"^startup-report: cpu \d+\.\d{3} s \(user \d+\.\d{3}, sys \d+\.\d{3}\); before Main \d+\.\d{3} s$", lines[0]);
        Assert.Matches(@"^startup-report: jit \d+\.\d{3} s, \d+ methods", lines[1]);
        Assert.StartsWith("startup-report: gc ", lines[2], StringComparison.Ordinal);
        Assert.Contains("TieredPGO=", lines[3], StringComparison.Ordinal);
        Assert.Contains("Platform.Cli", lines[4], StringComparison.Ordinal);
        Assert.DoesNotContain("System.Private.CoreLib", lines[4], StringComparison.Ordinal);
    }
}
