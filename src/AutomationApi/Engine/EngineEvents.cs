using System.Text;
using System.Text.Json;

namespace Platform.AutomationApi.Engine;

/// <summary>One engine event turned into operation progress.</summary>
/// <param name="Type"><c>step</c>, <c>step-done</c>, <c>step-failed</c>, <c>diagnostic</c>, <c>output</c> or <c>summary</c>.</param>
/// <param name="Message">Human-readable text.</param>
/// <param name="Urn">Resource URN, for resource events.</param>
/// <param name="Detail">Step operation (<c>create</c>, <c>update</c>, ...), diagnostic severity or policy enforcement level.</param>
/// <param name="Policy">For <c>policy</c> events: which policy of which pack said what.</param>
public sealed record EngineEvent(string Type, string? Message, string? Urn, string? Detail, PolicyReport? Policy = null);

/// <summary>What a policy said about a resource (<c>policyEvent</c>).</summary>
/// <param name="Pack">Policy pack name.</param>
/// <param name="Name">Policy name.</param>
/// <param name="Message">The policy's message.</param>
public sealed record PolicyReport(string Pack, string Name, string Message);

/// <summary>
/// Reads Pulumi engine events (<c>--event-log</c>: one JSON envelope <c>{sequence, timestamp, &lt;event&gt;}</c> per line).
/// </summary>
public static partial class EngineEventReader
{
    /// <summary>Converts one event-log line; <see langword="null"/> for events that carry no progress (prelude, cancel, unknown).</summary>
    public static EngineEvent? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("resourcePreEvent", out var pre))
            {
                return Step("step", pre);
            }

            if (root.TryGetProperty("resOutputsEvent", out var outputs))
            {
                return Step("step-done", outputs);
            }

            if (root.TryGetProperty("resOpFailedEvent", out var failed))
            {
                return Step("step-failed", failed);
            }

            if (root.TryGetProperty("diagnosticEvent", out var diagnostic))
            {
                return new EngineEvent("diagnostic", Plain(Text(diagnostic, "message")), Text(diagnostic, "urn"), Text(diagnostic, "severity"));
            }

            if (root.TryGetProperty("stdoutEvent", out var stdout))
            {
                return new EngineEvent("output", Plain(Text(stdout, "message")), null, null);
            }

            // policyEvent{resourceUrn, message, policyName, policyPackName, enforcementLevel, ...}
            // (sdk/go/common/apitype/events.go in pulumi/pulumi).
            if (root.TryGetProperty("policyEvent", out var policy))
            {
                var report = new PolicyReport(Text(policy, "policyPackName") ?? "", Text(policy, "policyName") ?? "", Plain(Text(policy, "message")) ?? "");
                return new EngineEvent("policy", $"{report.Pack}/{report.Name}: {report.Message}", Text(policy, "resourceUrn"),
                    Text(policy, "enforcementLevel"), report);
            }

            if (root.TryGetProperty("summaryEvent", out var summary))
            {
                var changes = summary.TryGetProperty("resourceChanges", out var rc) && rc.ValueKind == JsonValueKind.Object
                    ? string.Join(", ", rc.EnumerateObject().Select(p => $"{p.Name}: {p.Value}"))
                    : string.Empty;
                return new EngineEvent("summary", changes.Length == 0 ? "no changes" : changes, null, null);
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Resource changes by step operation, from a summary event's message.</summary>
    public static IReadOnlyDictionary<string, int> Changes(EngineEvent summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in (summary.Message ?? string.Empty).Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split(": ");
            if (pieces.Length == 2 && int.TryParse(pieces[1], System.Globalization.CultureInfo.InvariantCulture, out var count))
            {
                result[pieces[0]] = count;
            }
        }

        return result;
    }

    private static EngineEvent Step(string type, JsonElement body)
    {
        if (!body.TryGetProperty("metadata", out var metadata))
        {
            return new EngineEvent(type, null, null, null);
        }

        var op = Text(metadata, "op");
        var urn = Text(metadata, "urn");
        var resourceType = Text(metadata, "type");
        return new EngineEvent(type, $"{op} {resourceType}".Trim(), urn, op);
    }

    /// <summary>
    /// Drops the engine's colour directives (<c>&lt;{%reset%}&gt;</c> and the like): the event log carries them
    /// unless the CLI runs with <c>--color never</c> (<c>logJSONEvent</c> in <c>pkg/backend/display/display.go</c>).
    /// </summary>
    internal static string? Plain(string? message) => message is null ? null : ColorDirective().Replace(message, "").TrimEnd();

    [System.Text.RegularExpressions.GeneratedRegex(@"<\{%[^%]*%\}>")]
    private static partial System.Text.RegularExpressions.Regex ColorDirective();

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// Follows an event-log file while the engine writes it, handing each complete line to <paramref name="onLine"/>,
    /// until <paramref name="stop"/> is cancelled; then reads what is left and returns.
    /// </summary>
    public static async Task TailAsync(string path, Func<string, ValueTask> onLine, TimeSpan pollInterval, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        var pending = new StringBuilder();
        long position = 0;
        var buffer = new byte[16 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            var stopping = stop.IsCancellationRequested;
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.Seek(position, SeekOrigin.Begin);
                int read;
                while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
                {
                    position += read;
                    var count = decoder.GetChars(buffer, 0, read, chars, 0);
                    pending.Append(chars, 0, count);
                }

                var text = pending.ToString();
                var lastNewline = text.LastIndexOf('\n');
                if (lastNewline >= 0)
                {
                    foreach (var line in text[..lastNewline].Split('\n'))
                    {
                        await onLine(line.TrimEnd('\r'));
                    }

                    pending.Clear().Append(text[(lastNewline + 1)..]);
                }
            }

            if (stopping)
            {
                if (pending.Length > 0)
                {
                    await onLine(pending.ToString());
                }

                return;
            }

            try
            {
                await Task.Delay(pollInterval, stop);
            }
            catch (OperationCanceledException)
            {
                // Loop once more to drain what the engine wrote last.
            }
        }
    }
}
