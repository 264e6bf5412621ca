using Platform.Components;
using Platform.Components.Policies;

namespace Platform.Cli.Commands;

/// <summary>How commands report a spec that did not compile.</summary>
internal static class Reporting
{
    /// <summary>Writes every error as <c>path: message fix</c> on stderr and returns <see cref="ExitCodes.Invalid"/>.</summary>
    public static async Task<int> ErrorsAsync(PipelineResult result, CliContext context)
    {
        foreach (var error in result.Errors)
        {
            await context.Stderr.WriteLineAsync(error.ToString());
        }

        await context.Stderr.WriteLineAsync($"{result.Errors.Length} error{(result.Errors.Length == 1 ? "" : "s")}: the spec is invalid.");
        return ExitCodes.Invalid;
    }

    /// <summary>Writes the spec's advisory warnings on stderr, one per line: <c>warning: path: message fix</c>.</summary>
    public static async Task WarningsAsync(PipelineResult result, CliContext context)
    {
        foreach (var warning in result.Warnings)
        {
            await context.Stderr.WriteLineAsync($"warning: {warning}");
        }
    }

    /// <summary>
    /// Writes guardrail violations on stderr, one per line (<c>[mandatory] rule resource: message</c>); when a mandatory
    /// rule failed, a closing line says the plan is blocked.
    /// </summary>
    public static async Task ViolationsAsync(PolicyReport report, CliContext context)
    {
        foreach (var violation in report.Violations)
        {
            await context.Stderr.WriteLineAsync(violation.ToString());
        }

        if (report.IsBlocked)
        {
            await context.Stderr.WriteLineAsync($"blocked: {report.Mandatory.Length} mandatory guardrail violation{(report.Mandatory.Length == 1 ? "" : "s")}; fix them before rendering or deploying.");
        }
    }
}
