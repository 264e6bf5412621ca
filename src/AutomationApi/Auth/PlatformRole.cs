namespace Platform.AutomationApi.Auth;

/// <summary>
/// What a key or token may do, each role including the one before it: <see cref="Viewer"/> reads its team's
/// environments, <see cref="Developer"/> also changes its team's dev and staging ones, <see cref="Operator"/> also its
/// team's prod ones, <see cref="Admin"/> does everything for every team (keys, audit log included).
/// </summary>
public enum PlatformRole
{
    /// <summary>Reads its team's environments, operations and history.</summary>
    Viewer = 0,

    /// <summary>Also creates, updates and destroys its team's dev and staging environments.</summary>
    Developer = 1,

    /// <summary>Also changes its team's prod environments.</summary>
    Operator = 2,

    /// <summary>Everything, for every team: keys, the audit log.</summary>
    Admin = 3,
}

/// <summary>Role names as they are written in requests, claims and responses (lower case).</summary>
public static class PlatformRoles
{
    /// <summary>Every role name, weakest first.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<PlatformRole>().Select(Name)];

    /// <summary>The role's name (<c>viewer</c>, <c>developer</c>, <c>operator</c>, <c>admin</c>).</summary>
    public static string Name(PlatformRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a role name (case-insensitive); false for anything else, numbers included.</summary>
    public static bool TryParse(string? value, out PlatformRole role)
    {
        role = default;
        return !string.IsNullOrWhiteSpace(value) && !char.IsAsciiDigit(value.Trim()[0]) &&
               Enum.TryParse(value.Trim(), ignoreCase: true, out role) && Enum.IsDefined(role);
    }
}
