using System.Text.RegularExpressions;

namespace Platform.AutomationApi.Engine;

/// <summary>A resource named by its URN: logical name and type, as users know it from their program.</summary>
/// <param name="Urn">The URN.</param>
/// <param name="Name">Logical name (the URN's last part).</param>
/// <param name="Type">Type token (the URN's type, without parent types).</param>
public sealed record ResourceName(string Urn, string Name, string Type)
{
    /// <summary>
    /// Reads <c>urn:pulumi:&lt;stack&gt;::&lt;project&gt;::&lt;parent$...$type&gt;::&lt;name&gt;</c>
    /// (<c>sdk/go/common/resource/urn.go</c> in pulumi/pulumi).
    /// </summary>
    public static ResourceName FromUrn(string urn)
    {
        ArgumentNullException.ThrowIfNull(urn);
        var parts = urn.Split("::");
        if (parts.Length < 4)
        {
            return new ResourceName(urn, urn, "");
        }

        var qualifiedType = parts[2];
        var type = qualifiedType[(qualifiedType.LastIndexOf('$') + 1)..];
        return new ResourceName(urn, string.Join("::", parts[3..]), type);
    }

    /// <inheritdoc />
    public override string ToString() => Type.Length == 0 ? $"'{Name}'" : $"'{Name}' ({Type})";
}

/// <summary>A mandatory policy that rejected a change (<c>policyEvent</c> with enforcement level <c>mandatory</c>).</summary>
/// <param name="Policy">Policy name.</param>
/// <param name="Pack">Policy pack name.</param>
/// <param name="Resource">The resource it rejected, when it names one.</param>
/// <param name="Message">What the policy said.</param>
public sealed record PolicyViolation(string Policy, string Pack, ResourceName? Resource, string Message);

/// <summary>
/// What one engine command's event log says about how it went: which resources failed and why, which mandatory
/// policies rejected the change, what the language host reported about the program, which changes were applied and
/// which resource operations were still in flight. Failures are classified from this, not from exit codes or stdout:
/// since v3.226 the CLI still exits 1 for resource, policy and timeout failures
/// (<c>pkg/cmd/pulumi/cmd/exit_codes.go</c> in pulumi/pulumi) and pulumi-yaml prints no "program failed".
/// </summary>
public sealed partial class EngineLog
{
    private readonly Lock _gate = new();
    private readonly List<(ResourceName Resource, string Op)> _failed = [];
    private readonly List<(string? Urn, string Message)> _errors = [];
    private readonly List<string> _programOutput = [];
    private readonly List<PolicyViolation> _violations = [];
    private readonly Dictionary<string, string> _inFlight = new(StringComparer.Ordinal);
    private int _applied;

    /// <summary>Resources whose operation failed, with the operation.</summary>
    public IReadOnlyList<(ResourceName Resource, string Op)> FailedResources { get { lock (_gate) { return [.. _failed]; } } }

    /// <summary>Error diagnostics, with the URN they name (if any).</summary>
    public IReadOnlyList<(string? Urn, string Message)> Errors { get { lock (_gate) { return [.. _errors]; } } }

    /// <summary>Mandatory policy violations.</summary>
    public IReadOnlyList<PolicyViolation> Violations { get { lock (_gate) { return [.. _violations]; } } }

    /// <summary>Changes (create, update, delete, replace...) the engine completed.</summary>
    public int AppliedChanges { get { lock (_gate) { return _applied; } } }

    /// <summary>Resource operations started but neither finished nor failed, by URN, with their operation.</summary>
    public IReadOnlyDictionary<string, string> InFlight { get { lock (_gate) { return new Dictionary<string, string>(_inFlight, StringComparer.Ordinal); } } }

    /// <summary>Every diagnostic's text, for message-based classification (locks, plugins, network).</summary>
    public string Text { get { lock (_gate) { return string.Join("\n", _errors.Select(e => e.Message).Concat(_programOutput)); } } }

    /// <summary>Records one event.</summary>
    public void Observe(EngineEvent engineEvent)
    {
        ArgumentNullException.ThrowIfNull(engineEvent);
        lock (_gate)
        {
            switch (engineEvent.Type)
            {
                // A preview's steps are planned, not carried out: none is in flight and none changed anything.
                case "step" or "step-done" when engineEvent.Planned:
                    break;
                case "step" when engineEvent.Urn is { } urn && engineEvent.Detail is { } op && Changes(op):
                    _inFlight[urn] = op;
                    break;
                case "step-done" when engineEvent.Urn is { } urn:
                    _inFlight.Remove(urn);
                    _applied += engineEvent.Detail is { } done && Changes(done) ? 1 : 0;
                    break;
                case "step-failed" when engineEvent.Urn is { } urn:
                    _inFlight.Remove(urn);
                    _failed.Add((ResourceName.FromUrn(urn), engineEvent.Detail ?? "update"));
                    break;
                case "diagnostic" when engineEvent.Detail == "error" && engineEvent.Message is { Length: > 0 } message:
                    _errors.Add((engineEvent.Urn, message));
                    break;

                // A language host's standard error reaches the event log as info#err diagnostics
                // (pkg/resource/plugin/plugin.go in pulumi/pulumi); pulumi-yaml writes its program diagnostics there
                // and then bails without an error of its own (pkg/server/server.go in pulumi/pulumi-yaml).
                case "diagnostic" when engineEvent.Detail == "info#err" && engineEvent.Message is { Length: > 0 } output:
                    _programOutput.Add(output);
                    break;
                case "policy" when engineEvent.Detail == "mandatory":
                    _violations.Add(new PolicyViolation(engineEvent.Policy?.Name ?? "", engineEvent.Policy?.Pack ?? "",
                        engineEvent.Urn is { Length: > 0 } u ? ResourceName.FromUrn(u) : null, engineEvent.Policy?.Message ?? engineEvent.Message ?? ""));
                    break;
            }
        }
    }

    /// <summary>Where the program failed and why, when the language host reported a program diagnostic.</summary>
    public string? ProgramFailure()
    {
        lock (_gate)
        {
            // The language host's standard error arrives a line per event, so its lines are read as the one text they
            // were written as; an error diagnostic of the engine's own is one text already.
            IEnumerable<string> texts = [string.Join('\n', _programOutput), .. _errors.Where(e => e.Urn is null || IsStack(e.Urn)).Select(e => e.Message)];
            foreach (var text in texts)
            {
                // An HCL diagnostic, as pulumi-yaml writes them (hashicorp/hcl diagnostic_text.go): "Error: <summary>",
                // then "on <file> line <n>..." before the next diagnostic's heading, when the error has a place.
                var summary = HclSummary().Match(text);
                if (!summary.Success)
                {
                    continue;
                }

                var start = summary.Index + summary.Length;
                var end = HclHeading().Match(text, start) is { Success: true } next ? next.Index : text.Length;
                var location = HclLocation().Match(text, start, end - start);
                return location.Success
                    ? $"The program failed at {location.Groups["file"].Value} line {location.Groups["line"].Value}: {summary.Groups["summary"].Value.Trim()}"
                    : $"The program failed: {summary.Groups["summary"].Value.Trim()}";
            }

            return null;
        }
    }

    /// <summary>The error diagnostics that name <paramref name="urn"/>, joined.</summary>
    public string? ReasonFor(string urn)
    {
        lock (_gate)
        {
            var reasons = _errors.Where(e => e.Urn == urn).Select(e => e.Message.Trim()).ToList();
            return reasons.Count == 0 ? null : string.Join(" ", reasons);
        }
    }

    // Operations that change a resource. The others (display.StepOp in pkg/resource/deploy/step.go, pulumi/pulumi) read
    // or compare a resource, or drop a read one from the state: nothing in the cloud changes.
    private static bool Changes(string op) =>
        op is not ("same" or "read" or "read-replacement" or "refresh" or "discard" or "discard-replaced" or "diff");

    private static bool IsStack(string urn) => urn.Contains("::pulumi:pulumi:Stack::", StringComparison.Ordinal);

    [GeneratedRegex(@"(?m)^\s*Error: (?<summary>.+)$")]
    private static partial Regex HclSummary();

    [GeneratedRegex(@"(?m)^\s*(Error|Warning): ")]
    private static partial Regex HclHeading();

    [GeneratedRegex(@"on (?<file>[^\s:,]+) line (?<line>\d+)")]
    private static partial Regex HclLocation();
}
