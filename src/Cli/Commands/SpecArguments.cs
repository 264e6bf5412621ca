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

    public static Option<string?> Policies() => new("--policies")
    {
        Description = $"Policy settings file (advisory guardrails switched off per tier). Defaults to ${CliInputs.PoliciesVariable}, then ./{CliInputs.PoliciesFileName}, then the built-in defaults.",
        HelpName = "file",
    };
}

/// <summary>The spec argument and the settings options, added to a command and read back together.</summary>
internal sealed class SpecInputs
{
    private readonly Argument<string> _spec = SpecArguments.Spec();
    private readonly Option<string?> _targets = SpecArguments.Targets();
    private readonly Option<string?> _policies = SpecArguments.Policies();

    public void AddTo(Command command)
    {
        command.Arguments.Add(_spec);
        command.Options.Add(_targets);
        command.Options.Add(_policies);
    }

    /// <summary>Reads the spec and settings and runs the pipeline.</summary>
    public async Task<Platform.Components.PipelineResult> RunAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var text = await CliInputs.ReadSpecAsync(parse.GetValue(_spec)!, context, cancellationToken);
        var targets = CliInputs.LoadTargets(parse.GetValue(_targets), context);
        var policies = CliInputs.LoadPolicies(parse.GetValue(_policies), context);
        return Platform.Components.EnvironmentPipeline.Run(text, targets, policies);
    }
}
