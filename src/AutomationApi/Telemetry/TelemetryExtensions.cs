using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Platform.AutomationApi.Telemetry;

/// <summary>Settings of the service's own telemetry (<c>Platform:Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Whether to produce traces, metrics and logs through OpenTelemetry. The default is on exactly when an OTLP
    /// endpoint is configured here or in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; off, nothing is instrumented.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>OTLP endpoint to export to; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> applies when unset. None by default.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP protocol: <c>grpc</c> (the default) or <c>http/protobuf</c>; <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> applies when unset.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> resource attribute. The default is <c>platform-automation-api</c>; <c>OTEL_SERVICE_NAME</c> wins.</summary>
    public string ServiceName { get; set; } = "platform-automation-api";
}

/// <summary>Wires OpenTelemetry into the service when it is configured, and nothing at all when it is not.</summary>
public static class TelemetryExtensions
{
    /// <summary>
    /// Traces (ASP.NET Core, HttpClient, EF Core, operation runs), metrics (request metrics, operation duration by kind
    /// and outcome, queue depth, engine failures by class, HttpClient) and logs (with their scopes, so every line of an
    /// operation carries its id), exported by OTLP when an endpoint is configured.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection("Platform:Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();
        var environmentEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var export = options.OtlpEndpoint is not null || !string.IsNullOrWhiteSpace(environmentEndpoint);
        if (!(options.Enabled ?? export))
        {
            return builder;
        }

        builder.Services.AddSingleton<PlatformTelemetry>();
        builder.Services.AddSingleton<OperationTelemetryInterceptor>();
        builder.Services.ConfigureDbContext<Storage.PlatformDbContext>((services, db) => db.AddInterceptors(services.GetRequiredService<OperationTelemetryInterceptor>()));

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(PlatformTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(PlatformTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
            });
        if (export)
        {
            telemetry.UseOtlpExporter(Protocol(options.OtlpProtocol ?? builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]),
                options.OtlpEndpoint ?? new Uri(environmentEndpoint!));
        }

        return builder;
    }

    private static OtlpExportProtocol Protocol(string? name) => name switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"Platform:Telemetry:OtlpProtocol '{name}' is not supported; use grpc or http/protobuf."),
    };
}
