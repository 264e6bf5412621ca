using Microsoft.Extensions.Configuration;
using Platform.AutomationApi.Storage;

namespace Platform.Cli.Database;

/// <summary>What <c>platform db migrate</c> was told on its command line.</summary>
/// <param name="Provider"><c>--provider</c>.</param>
/// <param name="DataDirectory"><c>--data-dir</c>.</param>
/// <param name="SettingsFile"><c>--settings</c>.</param>
internal sealed record MigrationSettings(string? Provider, string? DataDirectory, string? SettingsFile);

/// <summary>
/// Runs the service's own migration (<see cref="DatabaseMigrationCommand"/>) with the service's settings: a JSON
/// settings file, then the service's environment variables, then the options. The only code of the CLI that touches
/// the service's assembly, so other commands never load it (or the database providers).
/// </summary>
internal static class DatabaseMigration
{
    // The service's database settings, as its environment names them (configuration keys with ':' as '__').
    private static readonly string[] Variables =
        ["Platform__Database__Provider", "Platform__Database__ConnectionString", "Platform__DataDirectory", "PLATFORM_DATA_DIR"];

    private const string Settings =
        "The database settings are --provider (or Platform__Database__Provider), the environment variable Platform__Database__ConnectionString, " +
        "--data-dir (or Platform__DataDirectory, PLATFORM_DATA_DIR) and --settings <file>; see 'platform db migrate --help'.";

    public static async Task<int> RunAsync(CliContext context, MigrationSettings settings, CancellationToken cancellationToken)
    {
        var report = await DatabaseMigrationCommand.MigrateAsync(Configuration(context, settings), context.WorkingDirectory, cancellationToken);
        switch (report.Status)
        {
            case MigrationStatus.Migrated:
                await context.Stdout.WriteLineAsync(report.Message);
                return ExitCodes.Ok;
            case MigrationStatus.InvalidSettings:
                await context.Stderr.WriteLineAsync($"error: {report.Message}");
                await context.Stderr.WriteLineAsync(Settings);
                return ExitCodes.Usage;
            default:
                await context.Stderr.WriteLineAsync($"error: {report.Message}");
                return ExitCodes.MigrationFailed;
        }
    }

    private static IConfiguration Configuration(CliContext context, MigrationSettings settings)
    {
        var builder = new ConfigurationBuilder();
        if (settings.SettingsFile is { } file)
        {
            var path = context.Resolve(file);
            CliInputs.RefuseDirectory(path, $"--settings {file}", "a JSON settings file");
            if (!File.Exists(path))
            {
                throw new UsageException($"--settings {file}: no such file ({path}).");
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        var values = Variables
            .Select(name => (Key: name.Replace("__", ":", StringComparison.Ordinal), Value: context.GetEnvironmentVariable(name)))
            .Where(v => v.Value is not null)
            .ToDictionary(v => v.Key, v => v.Value);
        if (settings.Provider is { } provider)
        {
            values["Platform:Database:Provider"] = provider;
        }

        if (settings.DataDirectory is { } directory)
        {
            values["Platform:DataDirectory"] = context.Resolve(directory);
        }

        try
        {
            return builder.AddInMemoryCollection(values).Build();
        }
        catch (InvalidDataException ex)
        {
            // The loader's own sentence ("Failed to load configuration from file '…'.") only wraps the parser's
            // reason (line and position); give that, as one sentence, not a bracketed sentence plus a full stop.
            throw new UsageException($"--settings {settings.SettingsFile} is not a JSON settings file: {ex.GetBaseException().Message.TrimEnd('.')}.");
        }
    }
}
