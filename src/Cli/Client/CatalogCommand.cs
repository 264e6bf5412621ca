using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli.Client;

/// <summary><c>platform catalog [service]</c> and <c>platform costs</c>: what runs where, who owns it, what it costs.</summary>
internal static class CatalogCommand
{
    public static Command CreateCatalog(CliContext context)
    {
        var service = new Argument<string?>("service") { Description = "One service name, across every environment that runs it.", Arity = ArgumentArity.ZeroOrOne };
        var team = new Option<string?>("--team") { Description = "Only this team's services." };
        var environment = new Option<string?>("--environment") { Description = "Only this environment's services." };
        var command = new Command("catalog", "Every service of every live environment: owner, tier, image, uses, used by, URL, estimated monthly cost.") { service, team, environment };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            JsonArray items;
            if (parse.GetValue(service) is { } name)
            {
                var (_, one) = await client.GetAsync($"v1/catalog/services/{EnvCommand.Escape(name)}", cancellationToken);
                items = one?["instances"]?.AsArray() ?? [];
            }
            else
            {
                var (_, all) = await client.GetAsync(
                    $"v1/catalog/services{EnvCommand.Query(("team", parse.GetValue(team)), ("environment", parse.GetValue(environment)))}", cancellationToken);
                items = all?["items"]?.AsArray() ?? [];
            }

            if (json)
            {
                await Output.JsonAsync(context, items);
                return ExitCodes.Ok;
            }

            await Output.TableAsync(context, ["SERVICE", "ENVIRONMENT", "TEAM", "TIER", "TYPE", "IMAGE", "USES", "USED BY", "URL", "MONTHLY"],
                items.Select(s => new[]
                {
                    Output.Text(s!["name"]), Output.Text(s["environment"]), Output.Text(s["team"]), Output.Text(s["tier"]), Output.Text(s["type"]),
                    Output.Text(s["image"]), NoneIfEmpty(Output.Text(s["uses"])), NoneIfEmpty(Output.Text(s["usedBy"])), Output.Text(s["url"]),
                    Output.Money(s["estimatedMonthlyCost"], s["currency"]),
                }));
            return ExitCodes.Ok;
        });
    }

    public static Command CreateCosts(CliContext context)
    {
        var groupBy = new Option<string>("--group-by") { Description = "team, costCenter, environment or service.", DefaultValueFactory = _ => "team" };
        var command = new Command("costs", "Estimated monthly costs of the live environments, grouped; the groups add up to the per-environment estimates.") { groupBy };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, report) = await client.GetAsync($"v1/costs?groupBy={Uri.EscapeDataString(parse.GetValue(groupBy)!)}", cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, report);
                return ExitCodes.Ok;
            }

            var currency = report?["currency"];
            var rows = (report?["groups"]?.AsArray() ?? []).Select(g => new[]
            {
                Output.Text(g!["key"]), Output.Text(g["kind"]), Output.Money(g["monthly"], currency), (g["environments"]?.AsArray().Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }).ToList();
            rows.Add(["total", "", Output.Money(report?["total"], currency), (report?["environments"]?.AsArray().Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await Output.TableAsync(context, [((string?)report?["groupBy"] ?? "group").ToUpperInvariant(), "KIND", "MONTHLY", "ENVIRONMENTS"], rows);
            if (report?["unestimated"]?.AsArray() is { Count: > 0 } pending)
            {
                await context.Stdout.WriteLineAsync($"not yet estimated (no successful deployment): {Output.Text(pending)}");
            }

            return ExitCodes.Ok;
        });
    }

    private static string? NoneIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
