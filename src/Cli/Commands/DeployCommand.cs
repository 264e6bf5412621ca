using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Cli.Client;

namespace Platform.Cli.Commands;

/// <summary>
/// <c>platform deploy &lt;environment&gt; &lt;service&gt; &lt;image&gt;</c>, for CI pipelines: asks the Automation API to deploy
/// one service's image, follows the operation's progress events (Server-Sent Events) until it finishes, prints the
/// rollout's outcome, and exits 0 only when it succeeded (4 when it failed, was cancelled or timed out; 1 when the
/// request was rejected).
/// </summary>
internal static class DeployCommand
{
    /// <summary>The variable holding the service's base URL.</summary>
    public const string UrlVariable = "PLATFORM_URL";

    /// <summary>The variable holding the bearer token.</summary>
    public const string TokenVariable = "PLATFORM_TOKEN";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create(CliContext context)
    {
        var environment = new Argument<string>("environment") { Description = "The environment, e.g. checkout-staging." };
        var service = new Argument<string>("service") { Description = "The service to deploy, as the spec names it." };
        var image = new Argument<string>("image") { Description = "The image, pinned by a version tag or digest." };
        var url = new Option<string?>("--url") { Description = $"Automation API base URL (default: ${UrlVariable})." };
        var token = new Option<string?>("--token") { Description = $"Bearer token (default: ${TokenVariable}); sent only when set." };
        var env = new Option<string[]>("--env") { Description = "Plain variable change KEY=VALUE (KEY= removes it; a secret variable takes no plain value); repeatable.", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the rollout, e.g. 20m or 1h.", DefaultValueFactory = _ => "30m" };
        var command = new Command("deploy", "Deploy one service's image to an environment and wait for the rollout: exit 0 when it succeeded, 4 when it failed or timed out.")
        {
            environment, service, image, url, token, env, timeout,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            context,
            new DeployArguments(parse.GetValue(environment)!, parse.GetValue(service)!, parse.GetValue(image)!,
                parse.GetValue(url) is { } given ? (given, "--url") : (context.GetEnvironmentVariable(UrlVariable), $"${UrlVariable}"),
                parse.GetValue(token) ?? context.GetEnvironmentVariable(TokenVariable),
                parse.GetValue(env) ?? [],
                parse.GetValue(timeout)!),
            cancellationToken));
        return command;
    }

    // Url: the URL and where it came from (--url or the variable), which an invalid URL's message names.
    private sealed record DeployArguments(string Environment, string Service, string Image, (string? Value, string Source) Url, string? Token, string[] Env, string Timeout);

    private static async Task<int> RunAsync(CliContext context, DeployArguments arguments, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(arguments.Url.Value))
        {
            throw new UsageException($"Name the Automation API with --url or ${UrlVariable}, e.g. https://platform.example.com.");
        }

        var baseUrl = ApiConnection.ParseBaseUrl(arguments.Url.Value, arguments.Url.Source);

        if (!TryParseTimeout(arguments.Timeout, out var limit))
        {
            throw new UsageException($"--timeout '{arguments.Timeout}' is not a duration; use minutes or hours, e.g. 20m or 1h.");
        }

        var body = new JsonObject { ["image"] = arguments.Image };
        if (arguments.Env.Length > 0)
        {
            var changes = new JsonObject();
            foreach (var pair in arguments.Env)
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new UsageException($"--env '{pair}' is not KEY=VALUE.");
                }

                changes[pair[..equals]] = equals == pair.Length - 1 ? null : pair[(equals + 1)..];
            }

            body["env"] = changes;
        }

        using var timeout = new CancellationTokenSource(limit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var client = new HttpClient(context.HttpHandler ?? new SocketsHttpHandler(), disposeHandler: context.HttpHandler is null)
        {
            BaseAddress = baseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(arguments.Token))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", arguments.Token);
        }

        var path = $"v1/environments/{Uri.EscapeDataString(arguments.Environment)}/services/{Uri.EscapeDataString(arguments.Service)}/deploy";
        string operationUrl;
        try
        {
            using var response = await client.PostAsJsonAsync(path, body, Json, stop.Token);
            var answer = await PlatformApiClient.ReadJsonAsync(response, stop.Token);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                await context.Stderr.WriteLineAsync($"error: deploy rejected ({(int)response.StatusCode}): {PlatformApiClient.Describe(answer, response)}");
                return (int)response.StatusCode >= 500 ? ExitCodes.DeployFailed : ExitCodes.Invalid;
            }

            operationUrl = response.Headers.Location?.OriginalString.TrimStart('/') ?? $"v1/operations/{answer?["operation"]?["id"]}";
            var changed = answer?["planDiff"]?["changed"]?.AsArray().Select(c => (string?)c) ?? [];
            await context.Stdout.WriteLineAsync($"Deploying {arguments.Service} {arguments.Image} to {arguments.Environment}: operation {answer?["operation"]?["id"]}");
            await context.Stdout.WriteLineAsync($"  changes: {string.Join(", ", changed)}");
        }
        catch (HttpRequestException ex)
        {
            await context.Stderr.WriteLineAsync($"error: cannot reach {baseUrl}: {ex.Message}");
            return ExitCodes.DeployFailed;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await context.Stderr.WriteLineAsync($"error: no answer from {baseUrl} within {arguments.Timeout}.");
            return ExitCodes.DeployFailed;
        }

        try
        {
            await FollowAsync(client, operationUrl, context, stop.Token);
            using var final = await client.GetAsync(operationUrl, stop.Token);
            var operation = await PlatformApiClient.ReadJsonAsync(final, stop.Token);
            var state = (string?)operation?["state"];
            if (state == "succeeded")
            {
                await context.Stdout.WriteLineAsync($"Rollout of {arguments.Service} {arguments.Image} to {arguments.Environment} succeeded.");
                return ExitCodes.Ok;
            }

            await context.Stderr.WriteLineAsync($"error: rollout {state}: {operation?["error"]?["code"]}: {operation?["error"]?["message"]}");
            return ExitCodes.DeployFailed;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await context.Stderr.WriteLineAsync($"error: the rollout did not finish within {arguments.Timeout}; it goes on: {new Uri(baseUrl, operationUrl)}");
            return ExitCodes.DeployFailed;
        }
        catch (HttpRequestException ex)
        {
            await context.Stderr.WriteLineAsync($"error: lost {baseUrl}: {ex.Message}");
            return ExitCodes.DeployFailed;
        }
    }

    /// <summary>Prints the operation's events as they come; reconnects with <c>Last-Event-ID</c> if the stream drops.</summary>
    internal static async Task FollowAsync(HttpClient client, string operationUrl, CliContext context, CancellationToken cancellationToken)
    {
        string? lastEventId = null;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, operationUrl + "/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }

            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        lastEventId = line[3..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line[5..].Trim());
                    }
                    else if (line.Length == 0 && data.Length > 0)
                    {
                        await PrintAsync(data.ToString(), context);
                        data.Clear();
                    }
                }

                return;
            }
            catch (HttpRequestException) when (attempt < 19 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, 1 << Math.Min(attempt, 3))), cancellationToken);
            }
            catch (IOException) when (attempt < 19 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static async Task PrintAsync(string data, CliContext context)
    {
        JsonNode? item;
        try
        {
            item = JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return;
        }

        var type = (string?)item?["type"];
        var detail = (string?)item?["detail"];
        var message = (string?)item?["message"];
        var urn = (string?)item?["urn"];
        var resource = urn?.Split("::") is { Length: >= 4 } parts ? parts[^1] : null;
        var line = type switch
        {
            "step" when detail is "same" or "read" => null,
            "step" => $"  {detail} {resource}",
            "step-failed" => $"  failed {resource}",
            "diagnostic" => $"  {(resource is null ? "" : resource + ": ")}{detail}: {message}",
            "state" or "retry" or "summary" or "request" => $"  {type}: {message}",
            _ => null,
        };
        if (line is not null)
        {
            await context.Stdout.WriteLineAsync(line);
        }
    }

    private static bool TryParseTimeout(string text, out TimeSpan timeout)
    {
        timeout = default;
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }

        timeout = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => TimeSpan.Zero,
        };
        return timeout > TimeSpan.Zero;
    }
}
