namespace Platform.AutomationApi.Apis;

/// <summary>
/// The <c>platform</c> commands that messages give as their remedy, in one place. People meet these messages through
/// the CLI far more often than through raw HTTP, and a command they can paste beats a request they must build; a
/// remedy with no CLI command (e.g. setting a team's quota) stays an HTTP call. A test parses each one with the CLI.
/// </summary>
public static class CliRemedies
{
    /// <summary>Create an API key (admins).</summary>
    public const string CreateKey = "'platform keys create --team <team> --role <role>'";

    /// <summary>List the API keys.</summary>
    public const string ListKeys = "'platform keys list'";

    /// <summary>List the services of every live environment.</summary>
    public const string ListServices = "'platform catalog'";

    /// <summary>Revoke the API key <paramref name="id"/>.</summary>
    public static string RevokeKey(string id) => $"'platform keys revoke {id}'";

    /// <summary>Deploy a new spec to the environment <paramref name="name"/>.</summary>
    public static string UpdateEnvironment(string name) => $"'platform env update {name} <spec>'";

    /// <summary>Destroy the environment <paramref name="name"/>, protected resources too.</summary>
    public static string ForceDestroy(string name) => $"'platform env destroy {name} --force'";
}
