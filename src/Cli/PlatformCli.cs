using System.CommandLine;
using System.CommandLine.Help;
using Platform.Cli.Commands;

namespace Platform.Cli;

/// <summary>
/// The <c>platform</c> command: <c>validate</c>, <c>plan</c> and <c>render</c> an environment spec.
/// Exit codes are in <see cref="ExitCodes"/>; errors go to stderr as messages, never stack traces.
/// </summary>
internal static class PlatformCli
{
    /// <summary>Runs the CLI with <paramref name="args"/> against the given streams.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliContext(stdout, stderr, TextReader.Null, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable), cancellationToken);

    /// <summary>Runs the CLI with <paramref name="args"/> in <paramref name="context"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            // A named root rather than RootCommand, whose name is the executable's (Platform.Cli under 'dotnet run').
            var root = new Command("platform", "Platform: validate, plan and render environment specs as Pulumi programs; deploy services; start a repository on the golden path; manage environments, keys, the catalog and costs through the Automation API; migrate its database.")
            {
                new HelpOption(),
                new VersionOption(),
                ValidateCommand.Create(context),
                PlanCommand.Create(context),
                RenderCommand.Create(context),
                DeployCommand.Create(context),
                InitCommand.Create(context),
                Client.EnvCommand.Create(context),
                Client.KeysCommand.Create(context),
                Client.CatalogCommand.CreateCatalog(context),
                Client.CatalogCommand.CreateCosts(context),
                Database.DbCommand.Create(context),
            };

            var result = root.Parse(args);

            // Before the parser's own errors: a mistyped option also makes an argument go missing or a word go
            // unmatched, and those follow from it; the user needs to hear about the option.
            if (UnknownOptions.Find(result) is { Count: > 0 } unknown)
            {
                foreach (var error in unknown)
                {
                    await context.Stderr.WriteLineAsync($"error: {error}");
                }

                await context.Stderr.WriteLineAsync($"Run '{UnknownOptions.CommandPath(result.CommandResult)} --help' for its options.");
                return ExitCodes.Usage;
            }

            if (result.Errors.Count > 0)
            {
                foreach (var error in result.Errors)
                {
                    await context.Stderr.WriteLineAsync($"error: {error.Message}");
                }

                await context.Stderr.WriteLineAsync("Run 'platform --help' for usage.");
                return ExitCodes.Usage;
            }

            return await result.InvokeAsync(
                new InvocationConfiguration { Output = context.Stdout, Error = context.Stderr, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (UsageException ex)
        {
            await context.Stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await context.Stderr.WriteLineAsync("error: cancelled");
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The CLI's promise is a message and an exit code, never a stack trace, whatever fails.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await context.Stderr.WriteLineAsync($"error: internal error ({ex.GetType().Name}): {ex.Message}");
            return ExitCodes.Internal;
        }
    }
}
