using Platform.Cli;

return await PlatformCli.RunAsync(args, CliContext.FromConsole());
