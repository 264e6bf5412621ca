using System.Text;
using Platform.AutomationApi.Engine;

namespace Platform.AutomationApi.Deployments;

/// <summary>
/// Explains a failed deployment from the engine's own error diagnostics. A failed update's command output says only
/// "update failed"; the reason (a rollout that never became ready because of an image pull error or a crash loop, a
/// refused resource) is in the error diagnostic the provider attached to the resource. The Kubernetes provider awaits
/// a Deployment's readiness and reports "… failed to fully initialize or become live" with the pods' reasons
/// (pulumi/pulumi-kubernetes provider/pkg/await/deployment.go and error.go).
/// </summary>
public static class RolloutFailure
{
    /// <summary>Code of an operation whose workload never became ready.</summary>
    public const string Code = "rollout-failed";

    private const int MaxMessage = 2000;

    /// <summary>Collects the error diagnostics of one engine run, in order.</summary>
    public sealed class Collector
    {
        private readonly List<(string? Urn, string Message)> _errors = [];

        /// <summary>Records an engine event when it is an error diagnostic.</summary>
        public void Add(EngineEvent engineEvent)
        {
            ArgumentNullException.ThrowIfNull(engineEvent);
            if (engineEvent is { Type: "diagnostic", Detail: "error", Message: { Length: > 0 } message })
            {
                _errors.Add((engineEvent.Urn, message));
            }
        }

        /// <summary>Forgets what was collected (a retried command starts over).</summary>
        public void Clear() => _errors.Clear();

        /// <summary>
        /// When a workload never became ready: <paramref name="error"/> with the code <see cref="Code"/> and the
        /// diagnostics' reasons (the resource each names, by logical name and type from the URN, and the message).
        /// Any other error (locks, plugins, cancellation, other resource failures) is returned as it is.
        /// </summary>
        public EngineError Explain(EngineError error)
        {
            ArgumentNullException.ThrowIfNull(error);
            var resourceErrors = _errors.Where(e => e.Urn is not null).ToList();
            var rollout = resourceErrors.Any(e => e.Message.Contains("failed to fully initialize or become live", StringComparison.Ordinal));
            if (!rollout || error.Transient || error.Code is EngineErrorCodes.Locked or EngineErrorCodes.Cancelled or EngineErrorCodes.Timeout)
            {
                // Every other failure keeps the engine driver's classification.
                return error;
            }

            var text = new StringBuilder();
            foreach (var (urn, message) in resourceErrors)
            {
                text.Append(text.Length == 0 ? "" : " ").Append(Describe(urn!)).Append(": ")
                    .Append(string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            }

            var explained = text.Length > MaxMessage ? text.ToString(0, MaxMessage) : text.ToString();
            return error with { Code = Code, Message = explained };
        }

        // urn:pulumi:<stack>::<project>::<type>::<name> → "<name> (<type>)".
        private static string Describe(string urn)
        {
            var parts = urn.Split("::");
            return parts.Length >= 4 ? $"{parts[^1]} ({parts[^2]})" : urn;
        }
    }
}
