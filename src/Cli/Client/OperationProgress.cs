using System.Text.Json.Nodes;
using Platform.Cli.Commands;

namespace Platform.Cli.Client;

/// <summary>Follows a queued operation's event stream (Server-Sent Events) to its end and reports its outcome.</summary>
internal static class OperationProgress
{
    /// <summary>
    /// Prints the operation's progress as it streams (to stderr when the answer is JSON, so stdout stays parseable),
    /// then reads the finished operation; returns it and the exit code: 0 when it succeeded, 4 otherwise.
    /// </summary>
    public static async Task<(JsonNode? Operation, int ExitCode)> FollowAsync(
        PlatformApiClient client, JsonNode? queued, CliContext context, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var id = (string?)queued?["id"] ?? throw new ApiException(System.Net.HttpStatusCode.BadGateway, "the service answered without an operation id");
        var progress = json ? context with { Stdout = context.Stderr } : context;
        await progress.Stdout.WriteLineAsync($"{queued!["kind"]} of {queued["environment"]}: operation {id}");
        try
        {
            await DeployCommand.FollowAsync(client.Http, $"v1/operations/{id}", progress, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(System.Net.HttpStatusCode.ServiceUnavailable, $"lost {client.BaseUrl} while following {id}: {ex.Message}");
        }

        var (_, operation) = await client.GetAsync($"v1/operations/{id}", cancellationToken);
        var state = (string?)operation?["state"];
        if (state == "succeeded")
        {
            await progress.Stdout.WriteLineAsync($"{operation!["kind"]} of {operation["environment"]} succeeded.");
            return (operation, ExitCodes.Ok);
        }

        await context.Stderr.WriteLineAsync($"error: {operation?["kind"]} of {operation?["environment"]} {state}: {operation?["error"]?["code"]}: {operation?["error"]?["message"]}");
        return (operation, ExitCodes.OperationFailed);
    }
}
