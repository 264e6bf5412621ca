using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Platform.Components;
using Platform.Components.Costs;
using Platform.Components.Costs.Prices;
using Platform.Components.Policies;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Targets;
using Platform.Generated;

namespace Platform.Benchmarks;

/// <summary>Bytes allocated per type by one synthesis stage, sampled by the runtime's allocation ticks (about one per 100 KB).</summary>
internal static class AllocationProbe
{
    public static int Run(string stage, int services)
    {
        var spec = SpecParser.Parse(GeneratedSpecs.Yaml(services)).Spec!;
        void Work(bool measured)
        {
            using var listener = measured ? new TickListener() : null;
            var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);
            if (stage == "compile") { listener?.Stop(); }
            PolicyEngine.Evaluate(plan, PolicySettings.Default);
            if (stage == "guardrails") { listener?.Stop(); }
            CostEstimator.Estimate(plan, PriceTable.Load());
            PulumiYamlRenderer.Render(plan, TextWriter.Null);
            listener?.Print();
        }

        Work(false);
        Work(false);
        Work(true);
        return 0;
    }

    private sealed class TickListener : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new();
        private volatile bool _stopped;

        public void Stop() => _stopped = true;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (_stopped || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
            {
                return;
            }

            var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? (string)e.Payload![t]! : "?";
            var amount = e.PayloadNames!.IndexOf("AllocationAmount64") is var a and >= 0 ? System.Convert.ToInt64(e.Payload![a], CultureInfo.InvariantCulture) : 100_000;
            _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
        }

        public void Print()
        {
            _stopped = true;
            var total = _bytes.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled {total / 1048576.0:F1} MB"));
            foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,7:F2} MB {100.0 * bytes / total,5:F1}%  {type}"));
            }
        }
    }
}
