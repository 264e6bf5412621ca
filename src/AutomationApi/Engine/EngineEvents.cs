using System.Text;
using System.Text.Json;

namespace Platform.AutomationApi.Engine;

/// <summary>One engine event turned into operation progress.</summary>
/// <param name="Type"><c>step</c>, <c>step-done</c>, <c>step-failed</c>, <c>diagnostic</c>, <c>output</c> or <c>summary</c>.</param>
/// <param name="Message">Human-readable text.</param>
/// <param name="Urn">Resource URN, for resource events.</param>
/// <param name="Detail">Step operation (<c>create</c>, <c>update</c>, ...), diagnostic severity or policy enforcement level.</param>
/// <param name="Policy">For <c>policy</c> events: which policy of which pack said what.</param>
/// <param name="Planned">
/// For step events: the step was planned by a preview, not carried out (<c>planning: true</c>; a preview reports every
/// step it plans as started and finished, pkg/engine/update.go <c>previewActions</c> in pulumi/pulumi).
/// </param>
public sealed record EngineEvent(string Type, string? Message, string? Urn, string? Detail, PolicyReport? Policy = null, bool Planned = false);

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
    /// <summary>
    /// Converts one event-log line; <see langword="null"/> for events that carry no progress (prelude, cancel, unknown)
    /// and for the engine's internal steps, which it neither shows nor counts.
    /// </summary>
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
                return Progress(Step("step", pre));
            }

            if (root.TryGetProperty("resOutputsEvent", out var outputs))
            {
                return Progress(Step("step-done", outputs));
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
        var planned = body.TryGetProperty("planning", out var planning) && planning.ValueKind == JsonValueKind.True;
        return new EngineEvent(type, $"{op} {resourceType}".Trim(), urn, op, Planned: planned);
    }

    /// <summary>
    /// The step, unless it is one the engine takes for itself: a default provider's (a provider type <c>pulumi:providers:&lt;package&gt;</c>
    /// whose name starts with <c>default</c>), removing a pending replace, or extending a provider's parameterization.
    /// The event log carries them (it is written before the display filters them out), but the engine neither shows them
    /// nor counts them in its summary (<c>isInternalStep</c> in pkg/engine/update.go, <c>IsDefaultProvider</c> in
    /// sdk/go/common/providers/reference.go, pulumi/pulumi); a default provider created before an interrupt changed nothing.
    /// Read from the step's own operation and URN, not the event's JSON again.
    /// </summary>
    private static EngineEvent? Progress(EngineEvent step) =>
        step.Detail is "remove-pending-replace" or "extend-parameterize" ||
        (step.Urn is { } urn && ResourceName.FromUrn(urn) is var resource &&
            resource.Type.StartsWith("pulumi:providers:", StringComparison.Ordinal) && resource.Name.StartsWith("default", StringComparison.Ordinal))
            ? null
            : step;

    /// <summary>
    /// Drops the engine's colour directives (<c>&lt;{%reset%}&gt;</c> and the like) and terminal colour codes. The event
    /// log carries the directives unless the CLI's colour is "never" (<c>logJSONEvent</c> in
    /// <c>pkg/backend/display/display.go</c>). The service runs pulumi without a terminal, so its default "auto" is
    /// "never" (<c>GetGlobalColorization</c> in <c>sdk/go/common/util/cmdutil/diag.go</c>), but <c>--color always</c> or
    /// <c>raw</c> from elsewhere would bring them back. Terminal codes come from plugins: pulumi-yaml writes its program
    /// diagnostics in colour whatever the terminal (<c>NewDiagnosticWriter(os.Stderr, 0, true)</c> in
    /// <c>pkg/server/server.go</c> of pulumi/pulumi-yaml; hashicorp/hcl's text writer then wraps "Error" in
    /// <c>ESC[31m</c>…<c>ESC[0m</c>), and the CLI passes a plugin's output on as it is.
    /// </summary>
    internal static string? Plain(string? message) => message is null ? null : ColorDirective().Replace(message, "").TrimEnd();

    // A control sequence: ESC [, parameter and intermediate bytes, a final byte (ECMA-48), which covers the SGR colour
    // codes hcl writes. Other escapes (OSC hyperlinks and the like) are left as they are.
    [System.Text.RegularExpressions.GeneratedRegex(@"<\{%[^%]*%\}>|\u001b\[[0-?]*[ -/]*[@-~]")]
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
