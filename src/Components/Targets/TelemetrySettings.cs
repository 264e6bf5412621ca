using System.Text.RegularExpressions;

namespace Platform.Components.Targets;

/// <summary>
/// Where a target's workloads send telemetry and where people look at it, set by the platform team under a target's
/// <c>telemetry</c> key:
/// <code>
/// telemetry:
///   otlpEndpoint: http://otel-collector.observability.svc:4317
///   otlpProtocol: grpc                 # grpc (default) | http/protobuf | http/json
///   collectorNamespace: observability  # opens the workloads' egress to the collector there
///   cloudWatchLogGroupPrefix: /eks/prod-cluster  # container logs go to {prefix}/{namespace}, kept for the tier's days
///   links:
///     logs: https://grafana.example.com/explore?query={namespace="{namespace}",app="{service}"}
///     metrics: https://grafana.example.com/d/svc?var-namespace={namespace}&amp;var-service={service}
///     traces: https://grafana.example.com/explore?traces=service.name={service}
/// </code>
/// Every workload gets <c>OTEL_SERVICE_NAME</c> and <c>OTEL_RESOURCE_ATTRIBUTES</c> whatever is set here; the
/// endpoint adds <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>; each link template adds
/// an environment output per service (see <see cref="LinkPlaceholders"/> for the placeholders).
/// </summary>
public sealed partial record TelemetrySettings
{
    /// <summary>The OTLP protocol used when a target names an endpoint but no protocol: <c>grpc</c>.</summary>
    public const string DefaultProtocol = "grpc";

    /// <summary>The OTLP protocols the OpenTelemetry SDKs' <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> accepts.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["grpc", "http/protobuf", "http/json"];

    /// <summary>
    /// The placeholders a link template may use: <c>{environment}</c>, <c>{namespace}</c> (the same, as the cluster
    /// knows it), <c>{service}</c>, <c>{team}</c>, <c>{tier}</c>, <c>{target}</c> and <c>{version}</c> (the image tag, or
    /// the digest's first 12 characters). Values are URL-escaped; any other <c>{word}</c> is left as written, so
    /// query languages that use braces (LogQL, PromQL) work.
    /// </summary>
    public static IReadOnlyList<string> LinkPlaceholders { get; } = ["environment", "namespace", "service", "team", "tier", "target", "version"];

    /// <summary>No telemetry settings: workloads get only their identity variables, and no links are made.</summary>
    public static TelemetrySettings None { get; } = new();

    /// <summary>OTLP endpoint of the collector workloads export to (an absolute <c>http</c> or <c>https</c> URL); none by default.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>OTLP protocol of <see cref="OtlpEndpoint"/>. The default is <c>grpc</c>.</summary>
    public string OtlpProtocol { get; init; } = DefaultProtocol;

    /// <summary>
    /// Namespace the collector runs in. When set with an endpoint, every service's network policy allows egress to
    /// that namespace on the endpoint's port (the namespace is default-deny otherwise). None by default: an endpoint that
    /// is a Service address (<c>&lt;service&gt;.&lt;namespace&gt;.svc</c>) names it; set it for any other in-cluster
    /// endpoint, or the collector is unreachable from every environment.
    /// </summary>
    public string? CollectorNamespace { get; init; }

    /// <summary>
    /// The namespace workloads' egress is opened to: <see cref="CollectorNamespace"/>, else the one a Service address
    /// endpoint names (<c>http://otel-collector.observability.svc:4317</c>: <c>observability</c>), else none.
    /// </summary>
    internal string? EgressNamespace =>
        CollectorNamespace ?? (OtlpEndpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && ServiceHost().Match(uri.Host) is { Success: true } host
            ? host.Groups["namespace"].Value
            : null);

    /// <summary>
    /// Prefix of the CloudWatch Logs groups the cluster's log agent writes container logs to, one group per namespace
    /// (<c>{prefix}/{namespace}</c>, e.g. Fluent Bit's <c>log_group_template</c>). When set, every environment on the
    /// target owns its group, created with the tier's log retention, so logs expire instead of being kept forever in a
    /// group the agent auto-created. None by default (retention is then only the pods' annotation).
    /// </summary>
    public string? CloudWatchLogGroupPrefix { get; init; }

    /// <summary>URL template of a service's logs; none by default.</summary>
    public string? LogsUrl { get; init; }

    /// <summary>URL template of a service's metrics; none by default.</summary>
    public string? MetricsUrl { get; init; }

    /// <summary>URL template of a service's traces; none by default.</summary>
    public string? TracesUrl { get; init; }

    /// <summary>The TCP port of <see cref="OtlpEndpoint"/> (its scheme's default when it names none).</summary>
    public int? OtlpPort => OtlpEndpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.Port : null;

    /// <summary>Checks the settings of target <paramref name="target"/>; the message names the field and the fix.</summary>
    /// <exception cref="FormatException">A field is malformed.</exception>
    public void Validate(string target)
    {
        if (Problems(target).FirstOrDefault() is { } problem)
        {
            throw new FormatException(problem.ToString());
        }
    }

    /// <summary>Every malformed field of target <paramref name="target"/>'s settings, each with its path and fix.</summary>
    internal IEnumerable<Specs.SpecError> Problems(string target)
    {
        if (OtlpEndpoint is { } endpoint &&
            (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new($"targets.{target}.telemetry.otlpEndpoint", $"'{endpoint}' is not an absolute http(s) URL.", "Write the collector's URL, e.g. http://otel-collector.observability.svc:4317.");
        }

        if (!Protocols.Contains(OtlpProtocol))
        {
            var suggestion = Documents.Spelling.Suggest(OtlpProtocol, [.. Protocols]);
            yield return new($"targets.{target}.telemetry.otlpProtocol", $"'{OtlpProtocol}' is not an OTLP protocol.",
                (suggestion is null ? "" : $"Did you mean '{suggestion}'? ") + $"Use one of: {string.Join(", ", Protocols)}.");
        }

        if (CloudWatchLogGroupPrefix is { } prefix && !LogGroupPrefix().IsMatch(prefix))
        {
            yield return new($"targets.{target}.telemetry.cloudWatchLogGroupPrefix", $"'{prefix}' is not a CloudWatch log group prefix.",
                "Start it with / and use only letters, digits and . - _ / # (at most 400 characters), e.g. /eks/prod-cluster.");
        }

        foreach (var (field, template) in new[] { ("logs", LogsUrl), ("metrics", MetricsUrl), ("traces", TracesUrl) })
        {
            if (template is not null && (!Uri.TryCreate(Expand(template, SampleValues), UriKind.Absolute, out var link) || link.Scheme is not ("http" or "https")))
            {
                yield return new($"targets.{target}.telemetry.links.{field}", $"'{template}' does not make an absolute http(s) URL.",
                    $"Start it with https:// and use the placeholders {string.Join(", ", LinkPlaceholders.Select(p => "{" + p + "}"))}.");
            }
        }
    }

    /// <summary>Fills <paramref name="template"/>'s placeholders with URL-escaped <paramref name="values"/> (keyed by placeholder name).</summary>
    public static string Expand(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        return Placeholder().Replace(template, match =>
            values.TryGetValue(match.Groups["name"].Value, out var value) ? Uri.EscapeDataString(value) : match.Value);
    }

    private static readonly Dictionary<string, string> SampleValues = LinkPlaceholders.ToDictionary(p => p, p => "x", StringComparer.Ordinal);

    // CloudWatch Logs group names are 1-512 characters of [.-_/#A-Za-z0-9]; the environment's namespace (up to 63) follows.
    [GeneratedRegex(@"^/[.\-_/#A-Za-z0-9]{0,399}$")]
    private static partial Regex LogGroupPrefix();

    [GeneratedRegex(@"\{(?<name>[a-z]+)\}")]
    private static partial Regex Placeholder();

    // A Service's cluster DNS name: <service>.<namespace>.svc, optionally with the default cluster domain.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.(?<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$")]
    private static partial Regex ServiceHost();
}
