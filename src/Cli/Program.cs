namespace Platform.Cli;

/// <summary>The <c>platform</c> executable.</summary>
internal static class Program
{
    // An explicit class rather than top-level statements: a generated global 'Program' would clash with the
    // Automation API's in test projects that reference both.
    private static async Task<int> Main(string[] args)
    {
        var report = StartupReport.StartIfRequested(Environment.GetEnvironmentVariable);
        var code = await PlatformCli.RunAsync(args, CliContext.FromConsole());
        report?.WriteTo(Console.Error);
        return code;
    }
}
