namespace Platform.Cli;

/// <summary>Everything the CLI reads from or writes to its process, so tests can run it in-process.</summary>
/// <param name="Stdout">Where results go.</param>
/// <param name="Stderr">Where errors go.</param>
/// <param name="Stdin">Where a spec named <c>-</c> is read from.</param>
/// <param name="WorkingDirectory">Directory relative paths and <c>platform.targets.yaml</c> are resolved against.</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable (<c>PLATFORM_TARGETS</c>).</param>
internal sealed record CliContext(
    TextWriter Stdout,
    TextWriter Stderr,
    TextReader Stdin,
    string WorkingDirectory,
    Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>The real console, current directory and environment.</summary>
    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, Console.In, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable);

    /// <summary>
    /// The HTTP handler for commands that talk to the Automation API (<c>deploy</c>); <see langword="null"/> uses a
    /// new socket handler. Tests pass an in-process server's handler.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Resolves a path the user gave against <see cref="WorkingDirectory"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, WorkingDirectory);
}
