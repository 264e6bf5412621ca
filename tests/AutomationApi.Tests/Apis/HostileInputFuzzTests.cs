using System.Globalization;
using Platform.AutomationApi.Tests.Fuzz;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// A bounded fuzz run in CI: a fixed seed's hostile requests (<see cref="HostileRequests"/>) over real Kestrel on
/// loopback. Every answer is a 2xx or a 4xx problem (or the HTTP parser's bare 400 for framing it cannot read), never
/// a 500 or a dropped connection, nothing is logged as an error, and the service still answers afterwards. The longer
/// run is <c>bench/fuzz.sh</c>; <c>PLATFORM_FUZZ_COUNT</c> and <c>PLATFORM_FUZZ_SEED</c> change this one's size and seed.
/// </summary>
public sealed class HostileInputFuzzTests
{
    /// <summary>The CI seed: fixed, so a failure reproduces.</summary>
    public const int Seed = 20261130;

    private const long BodyLimit = 64 * 1024;

    [Fact]
    public async Task Hostile_requests_are_answered_with_2xx_or_4xx_problems_never_500s_or_dropped_connections()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : 300;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Seed;
        using var factory = new PlatformFactory(configure: settings => settings["Platform:Limits:MaxRequestBodyBytes"] = BodyLimit.ToString(CultureInfo.InvariantCulture));
        var server = factory.StartKestrel();
        var run = new FuzzRun(server, seed, BodyLimit);

        await run.RunAsync(count, TimeSpan.FromMinutes(5), concurrency: 4, TestContext.Current.CancellationToken);

        TestContext.Current.SendDiagnosticMessage(run.Summary());
        var errors = factory.Logs.Lines.Where(l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal)).Take(5);
        Assert.True(run.Failures.Count == 0, run.Summary() + string.Join('\n', errors));
        Assert.True(run.Sent >= Math.Min(count, 100), run.Summary());
        var health = await RawHttp.SendAsync(server, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(200, health.Status);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
    }
}
