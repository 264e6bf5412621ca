namespace Platform.Cli.Tests;
