using System.Diagnostics;
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

/// <summary>
/// A quick look at plan synthesis, stage by stage, without BenchmarkDotNet's statistics: CPU time of this thread and
/// bytes allocated per stage for generated environments. <c>dotnet run -c Release --project bench/Benchmarks -- probe 1000 5000</c>.
/// </summary>
internal static class SynthesisProbe
{
    public static int Run(IEnumerable<string> sizes)
    {
        var counts = sizes.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).DefaultIfEmpty(1000).ToList();
        // Warm up every code path once, so the first size does not pay for JIT.
        Measure(50, print: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores; baseline (parse the README example, same run): {Baseline().TotalMicroseconds:F0} µs CPU"));
        foreach (var services in counts)
        {
            Measure(services, print: true);
        }

        PrintSteadyState();
        return 0;
    }

    // Per size: every run's stage times and bytes, for the steady-state summary.
    private static readonly Dictionary<int, List<List<(string Stage, TimeSpan Cpu, long Bytes)>>> Runs = [];

    /// <summary>
    /// For each size run four times or more, the median of every stage over the second half of its runs. The first
    /// runs of a process pay for the JIT: tiered compilation and dynamic PGO recompile hot methods on a background
    /// thread whose CPU this probe counts, for ten runs or more of 1,000 services (measured 2026-12-01: with
    /// <c>DOTNET_TieredCompilation=0</c> the total is flat from the third run; with the default it falls until about
    /// the eleventh). <c>probe</c> with twenty runs of one size reads the steady state from runs 11-20.
    /// </summary>
    private static void PrintSteadyState()
    {
        foreach (var (services, runs) in Runs.Where(r => r.Value.Count >= 4))
        {
            var late = runs.Skip(runs.Count / 2).ToList();
            var resources = SynthesisBenchmarks.ResourcesFor(services);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{services} services, steady state: median of runs {runs.Count - late.Count + 1}-{runs.Count}"));
            foreach (var stage in late[0].Select(s => s.Stage))
            {
                var cpu = late.Select(run => run.Where(s => s.Stage == stage).Sum(s => s.Cpu.TotalMilliseconds)).Order().ToList();
                var bytes = late.Select(run => run.Where(s => s.Stage == stage).Sum(s => s.Bytes)).Order().ToList();
                var median = (cpu[(cpu.Count - 1) / 2] + cpu[cpu.Count / 2]) / 2;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {stage,-10} {median,9:F0} ms CPU (min {cpu[0]:F0}, max {cpu[^1]:F0}) {bytes[bytes.Count / 2] / 1048576.0,9:F1} MB   {median * 1000 / resources,7:F1} µs/resource  {median * 1000 / _baselineMicroseconds,9:F0} x baseline"));
            }
        }
    }

    private static double _baselineMicroseconds = 1;

    /// <summary>CPU time of parsing the README example, the mean of 500 parses: the same-run baseline of every ratio.</summary>
    private static TimeSpan Baseline()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
        for (var i = 0; i < 100; i++)
        {
            SpecParser.Parse(text);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < 500; i++)
        {
            SpecParser.Parse(text);
        }

        var mean = (Process.GetCurrentProcess().TotalProcessorTime - cpu) / 500;
        _baselineMicroseconds = mean.TotalMicroseconds;
        return mean;
    }

    private static void Measure(int services, bool print)
    {
        var spec = SpecParser.Parse(GeneratedSpecs.Yaml(services)).Spec!;
        var stages = new List<(string Stage, TimeSpan Cpu, long Bytes, TimeSpan Pause, int Gcs)>();
        T Stage<T>(string name, Func<T> work)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var pause = GC.GetTotalPauseDuration();
            var gcs = GC.CollectionCount(0);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = work();
            stages.Add((name, Process.GetCurrentProcess().TotalProcessorTime - cpu, GC.GetAllocatedBytesForCurrentThread() - bytes,
                GC.GetTotalPauseDuration() - pause, GC.CollectionCount(0) - gcs));
            return result;
        }

        Stage("validate", () => SpecValidator.Validate(spec, TargetSettings.Default));
        var plan = Stage("compile", () => PlanCompiler.Compile(spec, DeploymentTarget.Default));
        Stage("guardrails", () => PolicyEngine.Evaluate(plan, PolicySettings.Default));
        Stage("cost", () => CostEstimator.Estimate(plan, PriceTable.Load()));
        Stage("render", () => PulumiYamlRenderer.Render(plan, TextWriter.Null));
        if (!print)
        {
            return;
        }

        var resources = plan.Resources.Length;
        Console.WriteLine($"{services} services, {resources} resources");
        var total = ("total", TimeSpan.FromTicks(stages.Sum(s => s.Cpu.Ticks)), stages.Sum(s => s.Bytes),
            TimeSpan.FromTicks(stages.Sum(s => s.Pause.Ticks)), stages.Sum(s => s.Gcs));
        (Runs.TryGetValue(services, out var runs) ? runs : Runs[services] = []).Add(
            [.. stages.Append(total).Select(s => (s.Item1, s.Item2, s.Item3))]);
        foreach (var (stage, cpu, bytes, pause, gcs) in stages.Append(total))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {stage,-10} {cpu.TotalMilliseconds,9:F0} ms CPU {bytes / 1048576.0,9:F1} MB   {cpu.TotalMicroseconds / resources,7:F1} µs/resource {bytes / resources,8} B/resource  {cpu.TotalMicroseconds / _baselineMicroseconds,9:F0} x baseline  GC {gcs,3} x, paused {pause.TotalMilliseconds,5:F0} ms"));
        }
    }
}
