using Platform.Cli.Commands;
using Platform.Components.Policies;
using Platform.Components.Specs;

namespace Platform.Cli.Tests;

public sealed class ReportingTests
{
    private static (CliContext Context, StringWriter Stderr) Context()
    {
        var stderr = new StringWriter();
        return (new CliContext(TextWriter.Null, stderr, TextReader.Null, Path.GetTempPath(), _ => null), stderr);
    }

    [Fact]
    public async Task A_blocked_report_lists_every_violation_and_says_it_blocks()
    {
        var report = new PolicyReport("shop", Tier.Prod,
        [
            new PolicyViolation("PLT001-no-public-bucket", PolicySeverity.Mandatory, "files-bucket", "Bucket 'files-bucket' is public."),
            new PolicyViolation("PLT010-standard-tags", PolicySeverity.Advisory, "files-bucket", "Tags are missing."),
        ], ["PLT001-no-public-bucket", "PLT010-standard-tags"], []);
        var (context, stderr) = Context();

        await Reporting.ViolationsAsync(report, context);

        var lines = stderr.ToString().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains("PLT001-no-public-bucket", lines[0], StringComparison.Ordinal);
        Assert.Contains("PLT010-standard-tags", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("blocked: 1 mandatory guardrail violation;", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Advisory_violations_alone_do_not_say_blocked()
    {
        var report = new PolicyReport("shop", Tier.Dev,
            [new PolicyViolation("PLT010-standard-tags", PolicySeverity.Advisory, "files-bucket", "Tags are missing.")], ["PLT010-standard-tags"], []);
        var (context, stderr) = Context();

        await Reporting.ViolationsAsync(report, context);

        Assert.DoesNotContain("blocked", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("PLT010-standard-tags", stderr.ToString(), StringComparison.Ordinal);
    }
}
