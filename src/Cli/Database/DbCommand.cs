using System.CommandLine;

namespace Platform.Cli.Database;

/// <summary>
/// <c>platform db migrate</c>: brings the Automation API's database schema up to this release, for operators who run
/// the service with <c>Platform:Database:MigrateOnStart=false</c>. The service's own migration code runs
/// (<see cref="DatabaseMigration"/>); nothing of it loads unless this command runs.
/// </summary>
internal static class DbCommand
{
    public static Command Create(CliContext context)
    {
        var db = new Command("db", "The Automation API's database: apply its schema migrations (platform db migrate).");
        db.Add(MigrateCommand(context));
        return db;
    }

    private static Command MigrateCommand(CliContext context)
    {
        var provider = new Option<string?>("--provider")
        {
            Description = "sqlite or postgres (default: environment variable Platform__Database__Provider, else sqlite).",
        };
        var dataDirectory = new Option<string?>("--data-dir")
        {
            Description = "The service's data directory, which holds SQLite's platform.db (default: Platform__DataDirectory or PLATFORM_DATA_DIR, else .data).",
        };
        var settings = new Option<string?>("--settings")
        {
            Description = "A JSON settings file as the service reads (its appsettings.json); environment variables and options override it.",
        };
        var command = new Command("migrate",
            "Apply the Automation API's pending schema migrations, under the same database lock as the service's start-up, and exit: 0 when the " +
            "schema is current, 2 for unusable settings, 4 when the database cannot be reached or a migration fails. PostgreSQL's connection " +
            "string comes from the environment variable Platform__Database__ConnectionString (or --settings), never the command line.")
        {
            provider, dataDirectory, settings,
        };
        command.SetAction((parse, cancellationToken) => DatabaseMigration.RunAsync(
            context, new MigrationSettings(parse.GetValue(provider), parse.GetValue(dataDirectory), parse.GetValue(settings)), cancellationToken));
        return command;
    }
}
