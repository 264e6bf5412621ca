using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli.Client;

/// <summary>The service answered with an error: its status and the problem's text.</summary>
internal sealed class ApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>4xx: the request was refused (1); anything else: the service failed or could not be reached (4).</summary>
    public int ExitCode => (int)Status is >= 400 and < 500 ? ExitCodes.Invalid : ExitCodes.OperationFailed;
}

/// <summary>A thin JSON client of the Automation API: every error becomes an <see cref="ApiException"/> with the problem's text.</summary>
internal sealed class PlatformApiClient : IDisposable
{
    private readonly HttpClient _http;

    public PlatformApiClient(ApiConnection connection, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        BaseUrl = connection.BaseUrl;
        _http = new HttpClient(context.HttpHandler ?? new SocketsHttpHandler(), disposeHandler: context.HttpHandler is null)
        {
            BaseAddress = connection.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (connection.Token is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUrl { get; }

    public HttpClient Http => _http;

    public void Dispose() => _http.Dispose();

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<(HttpStatusCode Status, JsonNode? Body)> SendJsonAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(method, path, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary>Sends a spec file's text as JSON or YAML, whichever it is.</summary>
    public Task<(HttpStatusCode Status, JsonNode? Body)> SendSpecAsync(HttpMethod method, string path, string specText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(specText);
        var json = specText.TrimStart().StartsWith('{');
        return SendAsync(method, path, new StringContent(specText, Encoding.UTF8, json ? "application/json" : "application/yaml"), cancellationToken);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var body = await ReadJsonAsync(response, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(response.StatusCode, $"{method} /{path.TrimStart('/')} refused ({(int)response.StatusCode}): {Describe(body, response)}");
            }

            return (response.StatusCode, body);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(HttpStatusCode.ServiceUnavailable, $"cannot reach {BaseUrl}: {ex.Message}");
        }
    }

    /// <summary>A response's body as JSON; a body that is not JSON as a string value; none as <see langword="null"/>.</summary>
    internal static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>Problem details as text: title, detail and every field error, each on its own line.</summary>
    internal static string Describe(JsonNode? problem, HttpResponseMessage response)
    {
        if (problem is not JsonObject body)
        {
            return problem?.ToString() is { Length: > 0 } text ? text : response.ReasonPhrase ?? "no details";
        }

        var message = new StringBuilder((string?)body["title"] ?? "");
        if ((string?)body["detail"] is { } detail)
        {
            message.Append(". ").Append(detail);
        }

        if (body["errors"] is JsonObject errors)
        {
            foreach (var (field, messages) in errors)
            {
                foreach (var line in messages?.AsArray() ?? [])
                {
                    message.Append(Environment.NewLine).Append("  ").Append(field).Append(": ").Append((string?)line);
                }
            }
        }

        return message.ToString();
    }
}
