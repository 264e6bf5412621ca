using Platform.Components;

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
}
