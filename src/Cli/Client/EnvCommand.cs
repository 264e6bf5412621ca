using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Platform.Cli.Client;

/// <summary>
/// <c>platform env create|list|get|update|preview|destroy|extend|history</c>: environments through the Automation API.
/// Commands that queue an operation follow its progress to the end (exit 0 only when it succeeded, 4 when it failed
/// or was cancelled) unless <c>--no-wait</c>.
/// </summary>
internal static class EnvCommand
{
    private static readonly string[] Changes = ["added", "removed", "changed"];

    public static Command Create(CliContext context)
    {
        var env = new Command("env", "Create, list, read, update, preview, destroy, extend environments and read their history through the Automation API.");
        env.Add(CreateCommand(context));
        env.Add(ListCommand(context));
        env.Add(GetCommand(context));
        env.Add(UpdateCommand(context));
        env.Add(PreviewCommand(context));
        env.Add(DestroyCommand(context));
        env.Add(ExtendCommand(context));
        env.Add(HistoryCommand(context));
        return env;
    }

    private static Option<bool> NoWait() => new("--no-wait") { Description = "Print the queued operation and return without following it." };

    private static Argument<string> Name() => new("name") { Description = "The environment, e.g. checkout-staging." };

    private static Command CreateCommand(CliContext context)
    {
        var spec = new Argument<string>("spec") { Description = "The environment spec (YAML or JSON); - reads stdin." };
        var noWait = NoWait();
        var command = new Command("create", "Create an environment from a spec and follow its deployment.") { spec, noWait };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var text = await CliInputs.ReadSpecAsync(parse.GetValue(spec)!, context, cancellationToken);
            var (_, queued) = await client.SendSpecAsync(HttpMethod.Post, "v1/environments", text, cancellationToken);
            return await QueuedAsync(client, queued, json, parse.GetValue(noWait), context, cancellationToken);
        });
    }

    private static Command UpdateCommand(CliContext context)
    {
        var name = Name();
        var spec = new Argument<string>("spec") { Description = "The new spec (YAML or JSON; secrets shown as { secret: { unchanged: true } } keep their values); - reads stdin." };
        var noWait = NoWait();
        var command = new Command("update", "Deploy a new spec to an environment and follow the deployment.") { name, spec, noWait };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var text = await CliInputs.ReadSpecAsync(parse.GetValue(spec)!, context, cancellationToken);
            var (_, queued) = await client.SendSpecAsync(HttpMethod.Put, $"v1/environments/{Escape(parse.GetValue(name))}", text, cancellationToken);
            return await QueuedAsync(client, queued, json, parse.GetValue(noWait), context, cancellationToken);
        });
    }

    private static Command PreviewCommand(CliContext context)
    {
        var name = Name();
        var spec = new Argument<string?>("spec") { Description = "A candidate spec; the current one when absent.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("preview", "What a spec (or the current one) would change: plan diff, cost delta and warnings.") { name, spec };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var path = $"v1/environments/{Escape(parse.GetValue(name))}/preview";
            var (_, queued) = parse.GetValue(spec) is { } file
                ? await client.SendSpecAsync(HttpMethod.Post, path, await CliInputs.ReadSpecAsync(file, context, cancellationToken), cancellationToken)
                : await client.SendAsync(HttpMethod.Post, path, null, cancellationToken);
            var (operation, exit) = await OperationProgress.FollowAsync(client, queued, context, json, cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, operation);
                return exit;
            }

            var result = operation?["result"];
            foreach (var change in Changes)
            {
                foreach (var resource in result?["planDiff"]?[change]?.AsArray() ?? [])
                {
                    await context.Stdout.WriteLineAsync($"  {change,-8} {(string?)resource}");
                }
            }

            if (result?["costDelta"] is { } cost)
            {
                await context.Stdout.WriteLineAsync($"  estimated monthly cost: {Output.Money(cost["before"])} -> {Output.Money(cost["after"])} ({Output.Money(cost["delta"])})");
            }

            foreach (var warning in result?["policyWarnings"]?.AsArray() ?? [])
            {
                await context.Stdout.WriteLineAsync($"  warning: {(string?)warning}");
            }

            return exit;
        });
    }

    private static Command DestroyCommand(CliContext context)
    {
        var name = Name();
        var force = new Option<bool>("--force") { Description = "Destroy protected resources too (e.g. a prod database); recorded on the operation." };
        var noWait = NoWait();
        var command = new Command("destroy", "Destroy an environment (its record and history stay) and follow the destroy.") { name, force, noWait };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var path = $"v1/environments/{Escape(parse.GetValue(name))}" + (parse.GetValue(force) ? "?force=true" : "");
            var (status, operation) = await client.SendAsync(HttpMethod.Delete, path, null, cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                // Destroyed already: the answer is the operation that did it.
                if (json)
                {
                    await Output.JsonAsync(context, operation);
                }
                else
                {
                    await context.Stdout.WriteLineAsync($"{parse.GetValue(name)} is already destroyed (operation {operation?["id"]}).");
                }

                return ExitCodes.Ok;
            }

            return await QueuedAsync(client, operation, json, parse.GetValue(noWait), context, cancellationToken);
        });
    }

    private static Command ListCommand(CliContext context)
    {
        var team = new Option<string?>("--team") { Description = "Only this team's environments." };
        var tier = new Option<string?>("--tier") { Description = "Only this tier: dev, staging or prod." };
        var status = new Option<string?>("--status") { Description = "Only this status, e.g. ready or failed." };
        var command = new Command("list", "List environments (every page).") { team, tier, status };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var query = Query(("team", parse.GetValue(team)), ("tier", parse.GetValue(tier)), ("status", parse.GetValue(status)), ("limit", "200"));
            var items = new JsonArray();
            string? cursor = null;
            do
            {
                var (_, page) = await client.GetAsync($"v1/environments{query}{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", cancellationToken);
                foreach (var item in page?["items"]?.AsArray() ?? [])
                {
                    items.Add(item?.DeepClone());
                }

                cursor = (string?)page?["nextCursor"];
            }
            while (cursor is not null);

            if (json)
            {
                await Output.JsonAsync(context, items);
                return ExitCodes.Ok;
            }

            await Output.TableAsync(context, ["NAME", "TEAM", "TIER", "TARGET", "STATUS", "EXPIRES"],
                items.Select(e => new[]
                {
                    Output.Text(e!["name"]), Output.Text(e["team"]), Output.Text(e["tier"]), Output.Text(e["target"]), Output.Text(e["status"]),
                    IsDestroyed(e) ? null : Output.Time(e["expiresAt"]),
                }));
            return ExitCodes.Ok;
        });
    }

    private static Command GetCommand(CliContext context)
    {
        var name = Name();
        var command = new Command("get", "An environment: status, expiry, cost estimate, last operation, outputs (secrets masked).") { name };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, environment) = await client.GetAsync($"v1/environments/{Escape(parse.GetValue(name))}", cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, environment);
                return ExitCodes.Ok;
            }

            var last = environment?["lastOperation"];
            var rows = new List<string?[]>
            {
                new[] { "name", Output.Text(environment?["name"]) },
                new[] { "team", Output.Text(environment?["team"]) },
                new[] { "tier", Output.Text(environment?["tier"]) },
                new[] { "target", Output.Text(environment?["target"]) },
                new[] { "status", Output.Text(environment?["status"]) },
            };
            if (IsDestroyed(environment))
            {
                // The record keeps the expiry and the last estimate it had when live; shown, they read as an
                // environment that still costs money and will still expire. It was destroyed, and says when.
                rows.Add(["destroyed", Output.Time(environment?["destroyedAt"]) ?? "yes"]);
            }
            else
            {
                rows.Add(["expires", Output.Time(environment?["expiresAt"]) ?? "never"]);
                rows.Add(["estimated monthly cost", Output.Money(environment?["costEstimate"]?["monthlyTotal"], environment?["costEstimate"]?["currency"])]);
            }

            rows.Add(["last operation", last is null ? null : $"{last["id"]} {last["kind"]} {last["state"]}"]);
            foreach (var (key, value) in environment?["outputs"]?.AsObject() ?? [])
            {
                rows.Add([$"output {key}", Output.Text(value)]);
            }

            await Output.TableAsync(context, ["FIELD", "VALUE"], rows);
            return ExitCodes.Ok;
        });
    }

    private static Command ExtendCommand(CliContext context)
    {
        var name = Name();
        var ttl = new Argument<string>("ttl") { Description = "New lifetime from now, e.g. 48h or 7d (within the tier's maximum)." };
        var command = new Command("extend", "Push an environment's expiry out (never earlier).") { name, ttl };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, environment) = await client.SendJsonAsync(HttpMethod.Post, $"v1/environments/{Escape(parse.GetValue(name))}/extend",
                new JsonObject { ["ttl"] = parse.GetValue(ttl) }, cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, environment);
            }
            else
            {
                await context.Stdout.WriteLineAsync($"{environment?["name"]} now expires {Output.Time(environment?["expiresAt"])}.");
            }

            return ExitCodes.Ok;
        });
    }

    private static Command HistoryCommand(CliContext context)
    {
        var name = Name();
        var limit = new Option<int>("--limit")
        {
            Description = "How many operations, newest first.",
            DefaultValueFactory = _ => 20,
            // The parser's own message named the CLR type ("expected type 'System.Int32'"); say what a person types.
            CustomParser = result =>
            {
                var text = result.Tokens is [.., var token] ? token.Value : "";
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError($"--limit '{text}' is not a whole number; give how many operations to list, e.g. --limit 20.");
                return 0;
            },
        };
        var command = new Command("history", "An environment's operations, newest first: kind, outcome, origin, actor, duration.") { name, limit };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, page) = await client.GetAsync($"v1/environments/{Escape(parse.GetValue(name))}/operations?limit={parse.GetValue(limit)}", cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, page?["items"]);
                return ExitCodes.Ok;
            }

            await Output.TableAsync(context, ["OPERATION", "KIND", "OUTCOME", "ORIGIN", "ACTOR", "CREATED", "DURATION"],
                (page?["items"]?.AsArray() ?? []).Select(o => new[]
                {
                    Output.Text(o!["id"]), Output.Text(o["kind"]), Output.Text(o["outcome"]) ?? Output.Text(o["state"]), Output.Text(o["origin"]),
                    Output.Text(o["actor"]), Output.Time(o["createdAt"]), Output.Text(o["duration"]),
                }));
            return ExitCodes.Ok;
        });
    }

    private static async Task<int> QueuedAsync(PlatformApiClient client, JsonNode? queued, bool json, bool noWait, CliContext context, CancellationToken cancellationToken)
    {
        if (noWait)
        {
            if (json)
            {
                await Output.JsonAsync(context, queued);
            }
            else
            {
                await context.Stdout.WriteLineAsync($"{queued?["kind"]} of {queued?["environment"]} queued: operation {queued?["id"]}");
            }

            return ExitCodes.Ok;
        }

        var (operation, exit) = await OperationProgress.FollowAsync(client, queued, context, json, cancellationToken);
        if (json)
        {
            await Output.JsonAsync(context, operation);
        }

        return exit;
    }

    private static bool IsDestroyed(JsonNode? environment) =>
        string.Equals((string?)environment?["status"], "destroyed", StringComparison.OrdinalIgnoreCase);

    internal static string Escape(string? segment) => Uri.EscapeDataString(segment ?? "");

    internal static string Query(params (string Key, string? Value)[] parameters)
    {
        var set = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join("&", set);
    }
}
