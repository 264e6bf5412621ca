using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Components.SpecDocuments;

namespace Platform.Cli.Client;

/// <summary><c>platform keys create|list|revoke</c>: API keys (an admin's key is needed).</summary>
internal static class KeysCommand
{
    public static Command Create(CliContext context)
    {
        var keys = new Command("keys", "Create, list and revoke API keys (admins).");
        keys.Add(CreateCommand(context));
        keys.Add(ListCommand(context));
        keys.Add(RevokeCommand(context));
        return keys;
    }

    private static Command CreateCommand(CliContext context)
    {
        var team = new Option<string>("--team") { Description = "The team the key acts for.", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, developer, operator or admin.", Required = true };
        var name = new Option<string?>("--name") { Description = "What the key is for, e.g. payments-ci (default: <team>-<role>)." };
        var expires = new Option<string?>("--expires-in") { Description = "Lifetime, e.g. 90d or 12h (default: the service's)." };
        var command = new Command("create", "Create an API key; it is printed once, here: store it now.") { team, role, name, expires };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name) ?? $"{parse.GetValue(team)}-{parse.GetValue(role)}",
                ["team"] = parse.GetValue(team),
                ["role"] = parse.GetValue(role),
            };
            if (parse.GetValue(expires) is { } lifetime)
            {
                if (!SpecParser.TryParseDuration(lifetime, out var duration) || duration <= TimeSpan.Zero)
                {
                    throw new UsageException($"--expires-in '{lifetime}' is not a duration; use hours or days, e.g. 12h or 90d.");
                }

                body["expiresAt"] = DateTimeOffset.UtcNow.Add(duration).ToString("O", CultureInfo.InvariantCulture);
            }

            var (_, created) = await client.SendJsonAsync(HttpMethod.Post, "v1/keys", body, cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, created);
                return ExitCodes.Ok;
            }

            var details = created?["details"];
            await context.Stdout.WriteLineAsync($"key {details?["id"]} ({details?["name"]}): {details?["role"]} of {details?["team"]}, expires {Output.Time(details?["expiresAt"]) ?? "never"}");
            await context.Stdout.WriteLineAsync((string?)created?["key"]);
            await context.Stderr.WriteLineAsync("This is the only time the key is shown: store it now (e.g. as PLATFORM_TOKEN in your CI secrets).");
            return ExitCodes.Ok;
        });
    }

    private static Command ListCommand(CliContext context)
    {
        var team = new Option<string?>("--team") { Description = "Only this team's keys." };
        var command = new Command("list", "List API keys (never the keys themselves).") { team };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, keys) = await client.GetAsync($"v1/keys{EnvCommand.Query(("team", parse.GetValue(team)))}", cancellationToken);
            var items = keys is JsonArray array ? array : keys?["items"]?.AsArray() ?? [];
            if (json)
            {
                await Output.JsonAsync(context, items);
                return ExitCodes.Ok;
            }

            await Output.TableAsync(context, ["ID", "NAME", "TEAM", "ROLE", "EXPIRES", "LAST USED", "ACTIVE"],
                items.Select(k => new[]
                {
                    Output.Text(k!["id"]), Output.Text(k["name"]), Output.Text(k["team"]), Output.Text(k["role"]),
                    Output.Time(k["expiresAt"]), Output.Time(k["lastUsedAt"]), Output.Text(k["active"]) ?? ((bool?)k["active"])?.ToString().ToLowerInvariant(),
                }));
            return ExitCodes.Ok;
        });
    }

    private static Command RevokeCommand(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The key's id (as listed)." };
        var command = new Command("revoke", "Revoke an API key: it stops working at once.") { id };
        return new ClientCommand().Runs(command, context, async (client, json, parse, cancellationToken) =>
        {
            var (_, key) = await client.SendAsync(HttpMethod.Delete, $"v1/keys/{EnvCommand.Escape(parse.GetValue(id))}", null, cancellationToken);
            if (json)
            {
                await Output.JsonAsync(context, key);
            }
            else
            {
                await context.Stdout.WriteLineAsync($"key {parse.GetValue(id)} revoked.");
            }

            return ExitCodes.Ok;
        });
    }
}
