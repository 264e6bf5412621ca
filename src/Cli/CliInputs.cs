using Platform.Components.Targets;

namespace Platform.Cli;

/// <summary>Reads the spec and the targets file the way every command does.</summary>
internal static class CliInputs
{
    /// <summary>The environment variable naming the targets file.</summary>
    public const string TargetsVariable = "PLATFORM_TARGETS";

    /// <summary>The targets file looked for in the working directory.</summary>
    public const string TargetsFileName = "platform.targets.yaml";

    /// <summary>The spec's text: from stdin for <c>-</c>, otherwise from the file.</summary>
    /// <exception cref="UsageException">The file is missing or unreadable.</exception>
    public static async Task<string> ReadSpecAsync(string path, CliContext context, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await context.Stdin.ReadToEndAsync(cancellationToken);
        }

        var full = context.Resolve(path);
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
    public static TargetSettings LoadTargets(string? option, CliContext context)
    {
        var (path, source) = option is { Length: > 0 }
            ? (option, "--targets")
            : context.GetEnvironmentVariable(TargetsVariable) is { Length: > 0 } variable
                ? (variable, TargetsVariable)
                : (TargetsFileName, null);
        var full = context.Resolve(path);
        if (!File.Exists(full))
        {
            return source is null ? TargetSettings.Default : throw new UsageException($"Targets file not found: {path} (from {source})");
        }

        try
        {
            return TargetSettings.Parse(File.ReadAllText(full));
        }
        catch (FormatException ex)
        {
            throw new UsageException($"Targets file {path} is invalid: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read targets file {path}: {ex.Message}");
        }
    }
}
