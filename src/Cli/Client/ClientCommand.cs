using System.CommandLine;

namespace Platform.Cli.Client;

/// <summary>The options every client command shares, and how it runs: connection resolved, API errors as messages and exit codes.</summary>
internal sealed class ClientCommand
{
    private readonly Option<string?> _url = new("--url") { Description = $"Automation API base URL (default: ${ApiConnection.UrlVariable}, then the config file)." };
    private readonly Option<string?> _token = new("--token") { Description = $"Bearer token, an API key (default: ${ApiConnection.TokenVariable}, then the config file)." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the service's JSON answer (for scripts) instead of a table." };

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public Command With(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Add(_url);
        command.Add(_token);
        command.Add(_json);
        return command;
    }

    /// <summary>Sets <paramref name="command"/>'s action: <paramref name="run"/> with a client, <c>--json</c> and the parse result.</summary>
    public Command Runs(Command command, CliContext context, Func<PlatformApiClient, bool, ParseResult, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        With(command).SetAction(async (parse, cancellationToken) =>
        {
            var connection = ApiConnection.Resolve(parse.GetValue(_url), parse.GetValue(_token), context);
            using var client = new PlatformApiClient(connection, context);
            try
            {
                return await run(client, parse.GetValue(_json), parse, cancellationToken);
            }
            catch (ApiException ex)
            {
                await context.Stderr.WriteLineAsync($"error: {ex.Message}");
                return ex.ExitCode;
            }
        });
        return command;
    }
}
