using System.CommandLine;
using Platform.Components;

namespace Platform.Cli.Commands;

/// <summary><c>platform validate &lt;spec&gt;</c>: prints <c>valid</c>, or every error with exit code 1.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var spec = SpecArguments.Spec();
        var targets = SpecArguments.Targets();
        var command = new Command("validate", "Check a spec: exit 0 printing 'valid', or exit 1 listing every error with its path and fix.")
        {
            spec,
            targets,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = await CliInputs.ReadSpecAsync(parse.GetValue(spec)!, context, cancellationToken);
            var result = EnvironmentPipeline.Run(text, CliInputs.LoadTargets(parse.GetValue(targets), context));
            if (!result.Succeeded)
            {
                return await Reporting.ErrorsAsync(result, context);
            }

            await context.Stdout.WriteLineAsync("valid");
            return ExitCodes.Ok;
        });
        return command;
    }
}
