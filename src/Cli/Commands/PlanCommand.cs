using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components;
using Platform.Components.Planning;
using Platform.Components.Rendering;

namespace Platform.Cli.Commands;

/// <summary><c>platform plan &lt;spec&gt; [--json]</c>: the resources a spec creates, grouped by component.</summary>
internal static class PlanCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CliContext context)
    {
        var spec = SpecArguments.Spec();
        var targets = SpecArguments.Targets();
        var json = new Option<bool>("--json") { Description = "Print the plan and its summary as JSON (secrets masked)." };
        var command = new Command("plan", "Show the resources a spec creates, grouped by service and resource, with their types and logical names.")
        {
            spec,
            targets,
            json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = await CliInputs.ReadSpecAsync(parse.GetValue(spec)!, context, cancellationToken);
            var result = EnvironmentPipeline.Run(text, CliInputs.LoadTargets(parse.GetValue(targets), context));
            if (!result.Succeeded)
            {
                return await Reporting.ErrorsAsync(result, context);
            }

            var summary = PlanSummary.Of(result.Plan);
            if (parse.GetValue(json))
            {
                var document = new JsonObject
                {
                    ["summary"] = PlanJson.Summary(summary),
                    ["plan"] = PlanJson.ToJson(result.Plan),
                };
                await context.Stdout.WriteLineAsync(document.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal));
            }
            else
            {
                await context.Stdout.WriteAsync(PlanText.Write(result.Plan, summary));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
