using System.Net;
using System.Text;

namespace Platform.Cli.Tests;

/// <summary>
/// <c>platform env get</c> and <c>env list</c> on a destroyed environment: it says destroyed (and when), with neither
/// the expiry nor the estimated cost its record kept from when it was live.
/// </summary>
public sealed class EnvGetTests
{
    private const string Destroyed = """
        {
          "name": "shop-dev", "team": "web", "tier": "dev", "target": "default", "status": "destroyed",
          "createdAt": "2026-01-05T09:00:00+00:00", "updatedAt": "2026-01-07T10:30:00+00:00",
          "expiresAt": "2026-01-12T09:00:00+00:00", "destroyedAt": "2026-01-07T10:30:00+00:00",
          "costEstimate": { "monthlyTotal": 41.5, "currency": "USD" },
          "lastOperation": { "id": "op_9", "kind": "destroy", "state": "succeeded" }
        }
        """;

    private const string Ready = """
        {
          "name": "shop-dev", "team": "web", "tier": "dev", "target": "default", "status": "ready",
          "expiresAt": "2026-01-12T09:00:00+00:00",
          "costEstimate": { "monthlyTotal": 41.5, "currency": "USD" },
          "lastOperation": { "id": "op_8", "kind": "create", "state": "succeeded" }
        }
        """;

    [Fact]
    public async Task A_destroyed_environment_says_destroyed_without_expiry_or_cost()
    {
        var result = await RunAsync(Destroyed, "env", "get", "shop-dev");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^status\s+destroyed$", result.Stdout);
        Assert.Matches(@"(?m)^destroyed\s+2026-01-07 10:30Z$", result.Stdout);
        Assert.DoesNotContain("expires", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-01-12", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cost", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("41.50", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^last operation\s+op_9 destroy succeeded$", result.Stdout);
    }

    [Fact]
    public async Task A_live_environment_still_shows_expiry_and_cost()
    {
        var result = await RunAsync(Ready, "env", "get", "shop-dev");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^expires\s+2026-01-12 09:00Z$", result.Stdout);
        Assert.Matches(@"(?m)^estimated monthly cost\s+41\.50 USD$", result.Stdout);
        Assert.DoesNotContain("destroyed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_shows_no_expiry_for_a_destroyed_environment()
    {
        var result = await RunAsync($$"""{ "items": [ {{Destroyed}} ] }""", "env", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = result.Stdout.ReplaceLineEndings("\n").Split('\n')[1];
        Assert.Matches(@"^shop-dev\s+web\s+dev\s+default\s+destroyed\s+-$", row);
    }

    private static async Task<CliResult> RunAsync(string answer, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var handler = new Answering(answer);
        var context = new CliContext(stdout, stderr, TextReader.Null, Path.GetTempPath(), name => name == "PLATFORM_URL" ? "http://platform.test" : null)
        {
            HttpHandler = handler,
        };
        var code = await PlatformCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Answers every request with the same JSON, as the service would the one request each test makes.</summary>
    private sealed class Answering(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
    }
}
