using System.CommandLine;

namespace Platform.Cli.Commands;

/// <summary>The arguments every command takes: the spec and the targets file.</summary>
internal static class SpecArguments
{
    public static Argument<string> Spec() => new("spec")
    {
        Description = "The environment spec file (YAML or JSON), or '-' to read it from stdin.",
    };

    public static Option<string?> Targets() => new("--targets")
    {
        Description = $"Deployment targets file. Defaults to ${CliInputs.TargetsVariable}, then ./{CliInputs.TargetsFileName}, then only the 'default' target.",
        HelpName = "file",
    };
}
