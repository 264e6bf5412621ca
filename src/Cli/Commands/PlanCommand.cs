using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var inputs = new SpecInputs();
        var json = new Option<bool>("--json") { Description = "Print the summary, guardrail report, cost estimate and plan as JSON (secrets masked)." };
        var command = new Command("plan",
            "Show the resources a spec creates, grouped by service and resource, with types, logical names, guardrail violations and the estimated monthly cost. Exit 1 when a mandatory guardrail fails.");
        inputs.AddTo(command);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await inputs.RunAsync(parse, context, cancellationToken);
            if (!result.Succeeded)
            {
                return await Reporting.ErrorsAsync(result, context);
            }

            await Reporting.WarningsAsync(result, context);
            var summary = PlanSummary.Of(result.Plan, result.Cost);
            if (parse.GetValue(json))
            {
                var document = new JsonObject
                {
                    ["summary"] = PlanJson.Summary(summary),
                    ["policy"] = PlanJson.Policy(result.Policy),
                    ["warnings"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode)new JsonObject { ["path"] = w.Path, ["message"] = w.Message, ["fix"] = w.Fix })]),
                    ["cost"] = PlanJson.Cost(result.Cost),
                    ["plan"] = PlanJson.ToJson(result.Plan),
                };
                await context.Stdout.WriteLineAsync(document.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal));
            }
            else
            {
                await context.Stdout.WriteAsync(PlanText.Write(result.Plan, summary, result.Policy, result.Cost));
            }

            return result.IsBlocked ? ExitCodes.Invalid : ExitCodes.Ok;
        });
        return command;
    }
}
