using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Platform.AutomationApi.Tests.Fuzz;

/// <summary>
/// Sends <see cref="HostileRequests"/> to a running service and tallies the answers. Every answer must be a 2xx or a
/// 4xx; a 4xx from the application is a problem document (the server itself refuses broken HTTP framing before the
/// application sees it, with a bare 400, counted apart). A 5xx, a dropped connection or a timeout is a failure.
/// </summary>
public sealed class FuzzRun(Uri server, int seed, long bodyLimit)
{
    private readonly HostileRequests _requests = new(seed, bodyLimit);

    /// <summary>Answers by status code.</summary>
    public SortedDictionary<int, int> ByStatus { get; } = [];

    /// <summary>Requests by kind.</summary>
    public SortedDictionary<string, int> ByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>4xx answers without a problem body: refused by the server's HTTP parser before the application.</summary>
    public int BareClientErrors { get; private set; }

    /// <summary>What went wrong, one line per failed request.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Requests sent.</summary>
    public int Sent { get; private set; }

    /// <summary>
    /// Sends up to <paramref name="count"/> requests, <paramref name="concurrency"/> at a time (a body cut short waits
    /// for the server's data-rate timeout), stopping early at <paramref name="budget"/>.
    /// </summary>
    public async Task RunAsync(int count, TimeSpan budget, int concurrency, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        var gate = new object();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                HostileRequest request;
                int index;
                lock (gate)
                {
                    if (next >= count || clock.Elapsed >= budget)
                    {
                        return;
                    }

                    index = next++;
                    request = _requests.Next();
                    Sent++;
                    ByKind[request.Kind] = ByKind.GetValueOrDefault(request.Kind) + 1;
                }

                var outcome = await SendAsync(index, request, cancellationToken);
                lock (gate)
                {
                    ByStatus[outcome.Status] = ByStatus.GetValueOrDefault(outcome.Status) + 1;
                    BareClientErrors += outcome.Bare ? 1 : 0;
                    if (outcome.Failure is { } failure)
                    {
                        Failures.Add(failure);
                    }
                }
            }
        }));
    }

    private async Task<(int Status, bool Bare, string? Failure)> SendAsync(int index, HostileRequest request, CancellationToken cancellationToken)
    {
        RawResponse response;
        try
        {
            response = await RawHttp.SendAsync(server, request.Bytes, TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (-1, false, $"#{index} {request}: no answer within 60 s");
        }

        return response switch
        {
            { Dropped: true } => (0, false, $"#{index} {request}: connection dropped without an answer"),
            { Status: >= 500 or < 200 or (>= 300 and < 400) } => (response.Status, false, $"#{index} {request}: {response.Status} {Clip(response.Body)}"),
            { Status: >= 400, IsProblem: false, Body.Length: 0, Status: 400 } => (400, true, null),
            { Status: >= 400, IsProblem: false } => (response.Status, false, $"#{index} {request}: {response.Status} without problem details ({response.ContentType}) {Clip(response.Body)}"),
            _ => (response.Status, false, null),
        };
    }

    /// <summary>A Markdown summary: requests by kind and answers by status.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"requests: {Sent} (seed {seed}), failures: {Failures.Count}, 400 from the HTTP parser without a body: {BareClientErrors}");
        text.AppendLine("| status | requests |").AppendLine("| --- | ---: |");
        foreach (var (status, n) in ByStatus)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {status switch { 0 => "dropped", -1 => "no answer", _ => status.ToString(CultureInfo.InvariantCulture) }} | {n} |");
        }

        text.AppendLine().AppendLine("| kind | requests |").AppendLine("| --- | ---: |");
        foreach (var (kind, n) in ByKind)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {n} |");
        }

        foreach (var failure in Failures.Take(20))
        {
            text.AppendLine(failure);
        }

        return text.ToString();
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
