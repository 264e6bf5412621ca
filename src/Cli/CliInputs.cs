using Platform.Components.Policies;
using Platform.Components.Targets;

namespace Platform.Cli;

/// <summary>Reads the spec and the targets file the way every command does.</summary>
internal static class CliInputs
{
    /// <summary>The environment variable naming the targets file.</summary>
    public const string TargetsVariable = "PLATFORM_TARGETS";

    /// <summary>The targets file looked for in the working directory.</summary>
    public const string TargetsFileName = "platform.targets.yaml";

    /// <summary>The environment variable naming the policy settings file.</summary>
    public const string PoliciesVariable = "PLATFORM_POLICIES";

    /// <summary>The policy settings file looked for in the working directory.</summary>
    public const string PoliciesFileName = "platform.policies.yaml";

    /// <summary>The spec's text: from stdin for <c>-</c>, otherwise from the file.</summary>
    /// <exception cref="UsageException">The file is missing or unreadable.</exception>
    public static async Task<string> ReadSpecAsync(string path, CliContext context, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await context.Stdin.ReadToEndAsync(cancellationToken);
        }

        var full = context.Resolve(path);
        RefuseDirectory(full, $"Spec file {path}", "a spec file (YAML or JSON)");
        if (!File.Exists(full))
        {
            throw new UsageException($"Spec file not found: {path}");
        }

        try
        {
            return await File.ReadAllTextAsync(full, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read spec file {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// The deployment targets: from <paramref name="option"/> when given, else the file named by
    /// <c>PLATFORM_TARGETS</c>, else <c>platform.targets.yaml</c> in the working directory when present, else only the
    /// zero-configuration <c>default</c> target. A file named explicitly (option or variable) must exist.
    /// </summary>
    /// <exception cref="UsageException">A named file is missing, unreadable or malformed.</exception>
    public static TargetSettings LoadTargets(string? option, CliContext context) =>
        Load(option, "--targets", TargetsVariable, TargetsFileName, "Targets", TargetSettings.Parse, context) ?? TargetSettings.Default;

    /// <summary>
    /// The platform team's policy settings (advisory guardrails switched off per tier), found the same way as the
    /// targets: <c>--policies</c>, else <c>PLATFORM_POLICIES</c>, else <c>platform.policies.yaml</c>, else the defaults.
    /// </summary>
    /// <exception cref="UsageException">A named file is missing, unreadable or malformed.</exception>
    public static PolicySettings LoadPolicies(string? option, CliContext context) =>
        Load(option, "--policies", PoliciesVariable, PoliciesFileName, "Policy settings", PolicySettings.Parse, context) ?? PolicySettings.Default;

    /// <summary>
    /// Refuses a directory where a file is needed: <see cref="File.Exists"/> is false for it, which read as "not
    /// found" (or, for a file looked for by default, as "absent") although the path is there.
    /// </summary>
    /// <param name="fullPath">The resolved path.</param>
    /// <param name="described">The path as the user gave it, e.g. <c>Spec file env</c>.</param>
    /// <param name="needed">What is needed instead, e.g. <c>a spec file (YAML or JSON)</c>.</param>
    /// <exception cref="UsageException"><paramref name="fullPath"/> is a directory.</exception>
    public static void RefuseDirectory(string fullPath, string described, string needed)
    {
        if (Directory.Exists(fullPath))
        {
            throw new UsageException($"{described} is a directory; {needed} is needed: name the file itself.");
        }
    }

    private static T? Load<T>(string? option, string optionName, string variableName, string fileName, string what, Func<string, T> parse, CliContext context)
        where T : class
    {
        var (path, source) = option is { Length: > 0 }
            ? (option, optionName)
            : context.GetEnvironmentVariable(variableName) is { Length: > 0 } variable
                ? (variable, variableName)
                : (fileName, null);
        var full = context.Resolve(path);
        RefuseDirectory(full, source is null ? $"{what} file {path}" : $"{what} file {path} (from {source})", "a YAML file");
        if (!File.Exists(full))
        {
            return source is null ? null : throw new UsageException($"{what} file not found: {path} (from {source})");
        }

        try
        {
            return parse(File.ReadAllText(full));
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{what} file {path} is invalid: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read {what.ToLowerInvariant()} file {path}: {ex.Message}");
        }
    }
}
