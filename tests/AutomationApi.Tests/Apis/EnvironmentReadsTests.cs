using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// Issue 14: a read by name is one query that never loads or re-parses the stored spec, and a list page seeks an
/// index from its cursor (no sort of every row, no spec text), so its cost does not grow with the stored count.
/// </summary>
public sealed partial class EnvironmentReadsTests
{
    private const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task A_read_by_name_is_one_query_that_loads_no_spec_text(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        var created = await factory.CreateAndWaitAsync(Specs.Dev("one-query-dev"));

        var environment = await factory.GetEnvironmentAsync("one-query-dev");

        var queries = CommandsOf(factory, "/v1/environments/one-query-dev");
        var query = Assert.Single(queries);
        Assert.DoesNotContain("SpecText", query, StringComparison.Ordinal);
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal((string)created["id"]!, (string)environment["lastOperation"]!["id"]!);
        Assert.True((bool)environment["spec"]!["spec"]!["services"]![0]!["env"]!["DB_PASSWORD"]!["secret"]!["unchanged"]!);
        Assert.True((int)environment["plan"]!["resources"]! > 0);
    }

    [Fact]
    public async Task A_request_by_name_reads_the_environment_once_for_its_authorization_and_its_handler()
    {
        // Issue 10: the access filter and the handler's lifecycle call share one read of the environment.
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("one-read-dev"));
        var client = factory.CreateClient();

        using var spec = await client.GetAsync("/v1/environments/one-read-dev/spec", Cancel);
        using var history = await client.GetAsync("/v1/environments/one-read-dev/operations", Cancel);
        using var refresh = await client.PostAsync("/v1/environments/one-read-dev/refresh", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, spec.StatusCode);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
        using var update = await client.PutAsync("/v1/environments/one-read-dev",
            new StringContent(Specs.Dev("one-read-dev", image: "registry.example.com/payments/api:1.0.1"), System.Text.Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, update.StatusCode);

        foreach (var path in new[] { "/v1/environments/one-read-dev/spec", "/v1/environments/one-read-dev/operations", "/v1/environments/one-read-dev/refresh", "/v1/environments/one-read-dev" })
        {
            var reads = CommandsOf(factory, path).Where(sql => sql.StartsWith("SELECT", StringComparison.Ordinal) &&
                Regex.IsMatch(sql, @"FROM ""Environments""")).ToList();
            Assert.True(reads.Count == 1, $"{path}: {reads.Count} reads of the environment\n{string.Join("\n---\n", reads)}");
        }
    }

    [Fact]
    public async Task A_row_stored_before_the_view_was_kept_is_still_read_with_its_secrets_masked()
    {
        // The row is changed behind the service's back, so its read cache (which would serve the first read) is off.
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:ReadCache:Duration"] = "00:00:00");
        await factory.CreateAndWaitAsync(Specs.Dev("legacy-dev"));
        var stored = await factory.GetEnvironmentAsync("legacy-dev");
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            Assert.Equal(1, await db.Environments.Where(e => e.Name == "legacy-dev")
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.SpecViewJson, (string?)null), Cancel));
        }

        var legacy = await factory.GetEnvironmentAsync("legacy-dev");

        Assert.True(JsonNode.DeepEquals(stored["spec"], legacy["spec"]));
        Assert.DoesNotContain(Specs.Secret, legacy.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_page_seeks_the_name_index_from_its_cursor_and_loads_no_spec_text()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        foreach (var name in new[] { "seek-a", "seek-b", "seek-c" })
        {
            using var response = await factory.PostSpecAsync(Specs.Dev(name, team: "search"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var first = (await client.GetFromJsonAsync<JsonObject>("/v1/environments?limit=1", Cancel))!;
        var cursor = Uri.EscapeDataString((string)first["nextCursor"]!);
        var second = (await client.GetFromJsonAsync<JsonObject>($"/v1/environments?limit=1&cursor={cursor}", Cancel))!;
        var byTeam = (await client.GetFromJsonAsync<JsonObject>($"/v1/environments?limit=1&team=search&cursor={cursor}", Cancel))!;

        Assert.Equal("seek-b", (string)second["items"]![0]!["name"]!);
        Assert.Equal("seek-b", (string)byTeam["items"]![0]!["name"]!);
        var requests = RequestsTo(factory, "/v1/environments").Where(r => r.Count > 0 && !r.Any(sql => sql.Contains("INSERT", StringComparison.Ordinal))).ToList();
        Assert.Equal(3, requests.Count);
        var page = Assert.Single(requests[1]);
        var teamPage = Assert.Single(requests[2]);
        Assert.DoesNotContain("SpecText", page, StringComparison.Ordinal);
        var plan = await QueryPlanAsync(factory, page);
        Assert.Contains("IX_Environments_Name_Id", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        var teamPlan = await QueryPlanAsync(factory, teamPage);
        Assert.Contains("IX_Environments_Team_Name_Id", teamPlan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", teamPlan, StringComparison.Ordinal);
    }

    /// <summary>The SQL of every environment or operation query a request to <paramref name="path"/> ran.</summary>
    private static List<string> CommandsOf(PlatformFactory factory, string path) => [.. RequestsTo(factory, path).SelectMany(r => r)];

    /// <summary>Per request to <paramref name="path"/>, in order, the SQL of the environment or operation queries it ran.</summary>
    private static List<List<string>> RequestsTo(PlatformFactory factory, string path) =>
        [.. factory.Logs.Records
            .Where(r => r.Category == CommandCategory && r.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal) &&
                        r.Scopes.TryGetValue("RequestPath", out var requestPath) && Equals(requestPath, path))
            .GroupBy(r => r.Scopes["RequestId"])
            .Select(g => g.Select(r => r.Message[(r.Message.IndexOf('\n', StringComparison.Ordinal) + 1)..])
                .Where(sql => sql.Contains("\"Environments\"", StringComparison.Ordinal) || sql.Contains("\"Operations\"", StringComparison.Ordinal))
                .ToList())];

    /// <summary>SQLite's plan for <paramref name="sql"/> (its parameters bound to placeholder values).</summary>
    private static async Task<string> QueryPlanAsync(PlatformFactory factory, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "platform.db")}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in Parameter().Matches(sql).Select(m => m.Value).Distinct())
        {
            command.Parameters.AddWithValue(name, sql.Contains($"LIMIT {name}", StringComparison.Ordinal) ? 2 : "seek-a");
        }

        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();
}
