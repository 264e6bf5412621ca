using System.CommandLine;

namespace Platform.Cli.Commands;

/// <summary><c>platform validate &lt;spec&gt;</c>: prints <c>valid</c>, or every error with exit code 1.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new SpecInputs();
        var command = new Command("validate",
            "Check a spec and the guardrails on its plan: exit 0 printing 'valid' (advisory warnings on stderr), or exit 1 listing every error or mandatory violation.");
        inputs.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await inputs.RunAsync(parse, context, cancellationToken);
            if (!result.Succeeded)
            {
                return await Reporting.ErrorsAsync(result, context);
            }

            await Reporting.WarningsAsync(result, context);
            await Reporting.ViolationsAsync(result.Policy, context);
            if (result.IsBlocked)
            {
                return ExitCodes.Invalid;
            }

            await context.Stdout.WriteLineAsync("valid");
            return ExitCodes.Ok;
        });
        return command;
    }
}
