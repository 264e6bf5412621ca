using System.Globalization;
using System.Runtime.CompilerServices;
using k8s.Models;
using Platform.Components.Planning;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Kubernetes;

/// <summary>
/// Observability by default: the OpenTelemetry identity every workload's SDK picks up from its environment
/// (the SDKs read <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> with no code), the tier's log retention on each pod, and links to each service's
/// logs, metrics and traces built from the target's templates.
/// </summary>
internal static class Observability
{
    /// <summary>The service name variable.</summary>
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The resource attributes variable.</summary>
    public const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>The OTLP endpoint variable.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The OTLP protocol variable.</summary>
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>Pod annotation a log agent reads to keep a pod's logs for the tier's number of days.</summary>
    public const string LogRetentionAnnotation = "platform.io/log-retention-days";

    /// <summary>
    /// The workload's OpenTelemetry variables. A variable the service sets itself in <c>env</c> is left to it (the
    /// platform's value would override it, since explicit container env wins over <c>envFrom</c>).
    /// </summary>
    public static List<V1EnvVar> Environment(PlanContext context, ServiceSpec service)
    {
        var telemetry = context.Target.Telemetry;
        var variables = new List<V1EnvVar>
        {
            new() { Name = ServiceNameVariable, Value = service.Name },
            new() { Name = ResourceAttributesVariable, Value = ResourceAttributes(context, service) },
        };
        if (telemetry.OtlpEndpoint is { } endpoint)
        {
            variables.Add(new V1EnvVar { Name = EndpointVariable, Value = endpoint });
            variables.Add(new V1EnvVar { Name = ProtocolVariable, Value = telemetry.OtlpProtocol });
        }

        return [.. variables.Where(v => !service.Env.ContainsKey(v.Name))];
    }

    /// <summary>
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>: <c>key=value</c> pairs joined by commas, values percent-encoded as the
    /// OpenTelemetry SDK environment variable specification requires (W3C Baggage octets).
    /// </summary>
    public static string ResourceAttributes(PlanContext context, ServiceSpec service)
    {
        var tier = Ownership.TierName(context.Spec.Tier);
        // Written into one buffer: every workload has this variable, so no list or part strings are made per service.
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        Attribute(ref text, "service.namespace", context.Spec.Name);
        if (ImageReference.VersionLabel(service.Image) is { } version)
        {
            Attribute(ref text, "service.version", version);
        }

        Attribute(ref text, "deployment.environment", tier);
        Attribute(ref text, "deployment.environment.name", tier);
        Attribute(ref text, "team", context.Spec.Metadata.Team);
        Attribute(ref text, "tier", tier);
        return text.ToStringAndClear();
    }

    // key=value, after a comma unless it is the first.
    private static void Attribute(ref DefaultInterpolatedStringHandler text, string key, string value)
    {
        if (text.Text.Length > 0)
        {
            text.AppendLiteral(",");
        }

        text.AppendLiteral(key);
        text.AppendLiteral("=");
        text.AppendLiteral(Uri.EscapeDataString(value));
    }

    /// <summary>Annotations of the service's pods: the tier's log retention.</summary>
    public static Dictionary<string, string> PodAnnotations(PlanContext context) => new(StringComparer.Ordinal)
    {
        [LogRetentionAnnotation] = context.Profile.LogRetentionDays.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The environment output of a service's link of <paramref name="kind"/> (<c>logs</c>, <c>metrics</c>, <c>traces</c>).</summary>
    public static string LinkOutput(string service, string kind) => $"{Casing.Camel(service)}{char.ToUpperInvariant(kind[0])}{kind[1..]}Url";

    /// <summary>Adds the service's links (those the target has templates for) to the environment's outputs.</summary>
    public static void PlanLinks(PlanContext context, ServiceSpec service)
    {
        var telemetry = context.Target.Telemetry;
        if (telemetry is { LogsUrl: null, MetricsUrl: null, TracesUrl: null })
        {
            // No templates, no links: nothing to fill in for any of the environment's services.
            return;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["environment"] = context.Spec.Name,
            ["namespace"] = context.Namespace,
            ["service"] = service.Name,
            ["team"] = context.Spec.Metadata.Team,
            ["tier"] = Ownership.TierName(context.Spec.Tier),
            ["target"] = context.Target.Name,
            ["version"] = ImageReference.VersionLabel(service.Image) ?? "",
        };
        foreach (var (kind, template) in new[] { ("logs", telemetry.LogsUrl), ("metrics", telemetry.MetricsUrl), ("traces", telemetry.TracesUrl) })
        {
            if (template is not null)
            {
                context.Builder.AddOutput(LinkOutput(service.Name, kind), TelemetrySettings.Expand(template, values), service.Name);
            }
        }
    }
}
