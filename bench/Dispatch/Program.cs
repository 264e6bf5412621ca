using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.AutomationApi.Engine;
using Platform.DispatchBench;

// Dispatch latency (issue 14): how long operations wait between queued and running when N are queued at once and
// the engine returns at once. The service runs in process (SQLite in a temporary data directory, every setting at
// its default except the engine); N creates are posted back to back, then every operation is read and
// startedAt - createdAt summarised. GET /healthz latency of the same host in the same run is the baseline.
//   dotnet run -c Release --project bench/Dispatch -- [operations (default 1000)]
internal static class DispatchRun
{
    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var data = Path.Combine(Path.GetTempPath(), "platform-dispatch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);

        // The service's content root (WebApplicationFactory looks for it beside a solution file named after nothing
        // here): its project directory, found from this program's output directory.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "src", "AutomationApi", "AutomationApi.csproj")))
        {
            root = root.Parent;
        }

        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_PLATFORM_AUTOMATIONAPI",
            root is null ? data : Path.Combine(root.FullName, "src", "AutomationApi"));
        try
        {
            using var factory = new DispatchFactory(data);
            var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", DispatchFactory.AdminKey);
            client.Timeout = TimeSpan.FromMinutes(10);

            var health = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                response.EnsureSuccessStatusCode();
                health.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var ids = new List<string>(count);
            var posting = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var spec = $"apiVersion: platform/v1\nkind: Environment\nmetadata: {{ name: dispatch-{i}, team: bench, costCenter: cc-1 }}\n" +
                           "spec:\n  tier: dev\n  services:\n    - { name: web, type: web, image: \"registry.example.com/web:1.0.0\", host: shop }\n";
                using var content = new StringContent(spec, Encoding.UTF8, "application/yaml");
                using var response = await client.PostAsync(new Uri("/v1/environments", UriKind.Relative), content);
                response.EnsureSuccessStatusCode();
                ids.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
            }

            posting.Stop();
            var waits = new List<double>(count);
            var deadline = Stopwatch.StartNew();
            foreach (var id in ids)
            {
                while (true)
                {
                    var operation = (await client.GetFromJsonAsync<JsonObject>(new Uri($"/v1/operations/{id}", UriKind.Relative)))!;
                    if (operation["startedAt"] is { } startedAt && (string?)operation["state"] is not ("queued" or "running"))
                    {
                        waits.Add(((DateTimeOffset)startedAt - (DateTimeOffset)operation["createdAt"]!).TotalMilliseconds);
                        break;
                    }

                    if (deadline.Elapsed > TimeSpan.FromMinutes(10))
                    {
                        throw new TimeoutException($"Operation {id} did not finish within 10 minutes.");
                    }

                    await Task.Delay(50);
                }
            }

            Console.WriteLine($"{Environment.ProcessorCount} cores; {count} creates posted in {posting.Elapsed.TotalSeconds:F1} s ({count / posting.Elapsed.TotalSeconds:F0}/s)");
            Console.WriteLine($"GET /healthz (baseline, same host): p50 {P(health, 0.5):F2} ms, p99 {P(health, 0.99):F2} ms");
            Console.WriteLine($"queued -> running: p50 {P(waits, 0.5):F1} ms, p99 {P(waits, 0.99):F1} ms, max {waits.Max():F1} ms " +
                              $"(p99 = {P(waits, 0.99) / P(health, 0.99):F0} x the baseline's p99)");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file the host still holds: left in the temporary directory.
            }
        }
    }

    private static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
}

/// <summary>The service in process, on its own data directory, with the engine double.</summary>
internal sealed class DispatchFactory(string data) : WebApplicationFactory<Program>
{
    /// <summary>The run's admin key (<c>Platform:Auth:BootstrapAdminKey</c>), sent with every request.</summary>
    public const string AdminKey = "dispatch-bench-admin-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Platform:DataDirectory", data);
        builder.UseSetting("Platform:Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IStackEngine>();
            services.AddSingleton<IStackEngine, ImmediateEngine>();
        });
    }
}
