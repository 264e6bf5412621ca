namespace Platform.Cli;

/// <summary>The <c>platform</c> executable.</summary>
internal static class Program
{
    // An explicit class rather than top-level statements: a generated global 'Program' would clash with the
    // Automation API's in test projects that reference both.
    private static Task<int> Main(string[] args) => PlatformCli.RunAsync(args, CliContext.FromConsole());
}
