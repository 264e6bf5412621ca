using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Platform.AutomationApi.Tests.Apis;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Telemetry;

/// <summary>The service's own traces, metrics and logs, read back through OpenTelemetry's in-memory exporters.</summary>
public sealed class TelemetryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<JsonObject> WaitAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 900; i++)
        {
            var operation = (await client.GetFromJsonAsync<JsonObject>($"/v1/operations/{id}", Cancel))!;
            if ((string)operation["state"]! is "succeeded" or "failed" or "cancelled")
            {
                return operation;
            }

            await Task.Delay(100, Cancel);
        }

        throw new TimeoutException($"Operation {id} did not finish.");
    }

    private static IEnumerable<MetricPoint> Points(IEnumerable<Metric> metrics, string name)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                yield return point;
            }
        }
    }

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    [Fact]
    public async Task Operations_ProduceTraces_Metrics_AndLogsCarryingTheOperationId()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var logs = new List<LogRecord>();
        using var factory = new PlatformFactory(configure: s => s["Platform:Telemetry:Enabled"] = "true");
        using var app = factory.WithWebHostBuilder(web => web.ConfigureServices(services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
            services.ConfigureOpenTelemetryMeterProvider(metering => metering.AddInMemoryExporter(metrics));
            services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(logs));
        }));
        var client = app.CreateClient();

        using var created = await client.PostAsync("/v1/environments", new StringContent(DeploymentsApiTests.Shop("otel-dev"), System.Text.Encoding.UTF8, "application/yaml"), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var createId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>(Cancel))!["id"]!;
        Assert.Equal("succeeded", (string)(await WaitAsync(client, createId))["state"]!);

        factory.Fake.Behave("up", "rollout-failure");
        using var deployed = await client.PostAsJsonAsync("/v1/environments/otel-dev/services/api/deploy", new { image = "registry.example.com/shop/api:6.6.6" }, Cancel);
        var deployId = (string)(await deployed.Content.ReadFromJsonAsync<JsonObject>(Cancel))!["operation"]!["id"]!;
        Assert.Equal("failed", (string)(await WaitAsync(client, deployId))["state"]!);

        app.Services.GetRequiredService<TracerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        app.Services.GetRequiredService<LoggerProvider>().ForceFlush();

        // Operation duration by kind and outcome, engine failures by class, queue depth, request metrics.
        var durations = Points(metrics, "platform.operation.duration").Select(Tags).ToList();
        Assert.Contains(durations, t => (string?)t["platform.operation.kind"] == "create" && (string?)t["platform.operation.outcome"] == "succeeded");
        Assert.Contains(durations, t => (string?)t["platform.operation.kind"] == "update" && (string?)t["platform.operation.outcome"] == "failed");
        var failure = Assert.Single(Points(metrics, "platform.engine.failures"), p => (string?)Tags(p)["error.type"] == "rollout-failed");
        Assert.Equal(1, failure.GetSumLong());
        Assert.Contains(Points(metrics, "platform.operation.queue.depth"), p => p.GetGaugeLastValueLong() == 0);
        Assert.Contains(Points(metrics, "http.server.request.duration"),
            // Requests that match no route (probes, 404s) carry no http.route tag.
            p => Tags(p).GetValueOrDefault("http.route") as string == "/v1/environments/{name}/services/{service}/deploy");

        // A span per operation run, request spans from ASP.NET Core, database spans from EF Core. A copy: the worker's
        // polls (and the audit log's writes) keep adding database spans while these are searched.
        var recorded = spans.ToArray();
        Assert.Contains(recorded, s => s.Source.Name == "Platform.AutomationApi" && (string?)s.GetTagItem("platform.operation.id") == deployId);
        Assert.Contains(recorded, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/v1/environments", StringComparison.Ordinal));
        Assert.Contains(recorded, s => s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal));

        // Every log line the executor writes for an operation carries that operation's id as a scope.
        var executorLines = logs.Where(l => l.CategoryName == "Platform.AutomationApi.Operations.OperationExecutor").ToList();
        Assert.Contains(executorLines, l => (l.FormattedMessage ?? "").Contains(deployId, StringComparison.Ordinal));
        foreach (var line in executorLines)
        {
            string? scoped = null;
            line.ForEachScope((scope, _) =>
            {
                foreach (var item in scope)
                {
                    scoped = item.Key == "OperationId" ? item.Value as string : scoped;
                }
            }, (object?)null);
            Assert.True(scoped is not null, $"No operation id on: {line.FormattedMessage}");
        }
    }

    [Fact]
    public void Telemetry_IsOff_WithoutAnEndpointOrTheSwitch()
    {
        using var factory = new PlatformFactory();

        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
        Assert.Null(factory.Services.GetService<Platform.AutomationApi.Telemetry.PlatformTelemetry>());
    }
}
