using System.Text.Json;

namespace Platform.Cli.Client;

/// <summary>
/// Where the Automation API is and how to authenticate to it: <c>--url</c>/<c>--token</c>, else <c>PLATFORM_URL</c>/
/// <c>PLATFORM_TOKEN</c>, else the config file (<c>PLATFORM_CONFIG</c>, else <c>$XDG_CONFIG_HOME/platform/config.json</c>,
/// else <c>~/.config/platform/config.json</c>: <c>{"url": "…", "token": "…"}</c>). A file <c>PLATFORM_CONFIG</c> names
/// must exist. A config file holds a key, so on Unix one that group or others can read is refused, naming the
/// <c>chmod</c> that fixes it.
/// </summary>
/// <param name="BaseUrl">The service's base URL.</param>
/// <param name="Token">The bearer token (an API key or an OIDC token), if any.</param>
internal sealed record ApiConnection(Uri BaseUrl, string? Token)
{
    /// <summary>The variable holding the service's base URL.</summary>
    public const string UrlVariable = "PLATFORM_URL";

    /// <summary>The variable holding the bearer token.</summary>
    public const string TokenVariable = "PLATFORM_TOKEN";

    /// <summary>The variable naming the config file.</summary>
    public const string ConfigVariable = "PLATFORM_CONFIG";

    /// <summary>Resolves the connection.</summary>
    /// <exception cref="UsageException">No URL anywhere, an invalid one, or an unreadable or unsafe config file.</exception>
    public static ApiConnection Resolve(string? url, string? token, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        url = Value(url);
        var source = "--url";
        if (url is null && Value(context.GetEnvironmentVariable(UrlVariable)) is { } fromVariable)
        {
            (url, source) = (fromVariable, $"${UrlVariable}");
        }

        token ??= Value(context.GetEnvironmentVariable(TokenVariable));
        if (url is null || token is null)
        {
            var file = ReadConfig(context);
            if (url is null && Value(file?.Url) is { } fromFile)
            {
                (url, source) = (fromFile, $"\"url\" in {ConfigPath(context)}");
            }

            token ??= file?.Token;
        }

        if (url is null)
        {
            throw new UsageException(
                $"Name the Automation API with --url, ${UrlVariable} or \"url\" in {ConfigPath(context) ?? "~/.config/platform/config.json"}, e.g. https://platform.example.com.");
        }

        return new ApiConnection(ParseBaseUrl(url, source), Value(token));
    }

    /// <summary>
    /// The service's base URL from <paramref name="url"/>, which <paramref name="source"/> (e.g. <c>--url</c>) gave:
    /// an absolute <c>http</c> or <c>https</c> URL with a host. Anything else is refused as what it is, an invalid URL,
    /// rather than as a missing one.
    /// </summary>
    /// <exception cref="UsageException"><paramref name="url"/> is no such URL.</exception>
    public static Uri ParseBaseUrl(string url, string source)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) ||
            baseUrl.Scheme is not ("http" or "https") || baseUrl.Host.Length == 0)
        {
            // A mistyped URL may carry credentials (https//user:token@host): never echo what precedes an '@'.
            var shown = url.LastIndexOf('@') is var at and >= 0 ? $"…{url[at..]}" : url;
            throw new UsageException(
                $"{source} '{shown}' is not a valid Automation API URL: give its base URL with http:// or https:// and a host, e.g. https://platform.example.com.");
        }

        return baseUrl;
    }

    /// <summary>The config file's path, or <see langword="null"/> when no home directory is known.</summary>
    public static string? ConfigPath(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Value(context.GetEnvironmentVariable(ConfigVariable)) is { } named)
        {
            return context.Resolve(named);
        }

        if (Value(context.GetEnvironmentVariable("XDG_CONFIG_HOME")) is { } xdg)
        {
            return Path.Combine(xdg, "platform", "config.json");
        }

        var home = Value(context.GetEnvironmentVariable("HOME")) ?? Value(context.GetEnvironmentVariable("USERPROFILE"));
        return home is null ? null : Path.Combine(home, ".config", "platform", "config.json");
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record ConfigFile(string? Url, string? Token);

    private static ConfigFile? ReadConfig(CliContext context)
    {
        var path = ConfigPath(context);
        if (path is null)
        {
            return null;
        }

        // The default file is optional; one the variable names was meant to be read, so its absence is a mistake
        // (a typo, an unmounted secret) to report, not to skip: skipped, it surfaced as "name the Automation API".
        var named = Value(context.GetEnvironmentVariable(ConfigVariable)) is not null;
        CliInputs.RefuseDirectory(path, named ? $"Config file {path} (from ${ConfigVariable})" : $"Config file {path}", "a JSON file");
        if (!File.Exists(path))
        {
            return named
                ? throw new UsageException($"Config file not found: {path} (from ${ConfigVariable}); create it or unset {ConfigVariable}.")
                : null;
        }

        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & others) != 0)
            {
                throw new UsageException(
                    $"Config file {path} can be read or changed by other users (mode {Convert.ToString((int)mode, 8)}) and holds a key; " +
                    $"make it yours alone with: chmod 600 {path}");
            }
        }

        try
        {
            return JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"Config file {path} is not JSON of the form {{\"url\": \"…\", \"token\": \"…\"}}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read config file {path}: {ex.Message}");
        }
    }

    private static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
