using System.Diagnostics;
using System.Globalization;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Generated;

namespace Platform.Benchmarks;

/// <summary>
/// The growth of plan synthesis from one size to another, measured in interleaved rounds: each round times the small
/// size and the large one back to back (the same work as <see cref="SynthesisBenchmarks.Synthesise()"/>, wall time) and
/// takes their ratio, and the figure is the median of the rounds' ratios. BenchmarkDotNet measures one size after the
/// other, half a minute apart; this virtual machine's speed drifts by up to 1.5 × in that time (the same build's
/// 1,000-service median read 93 and 134 ms in consecutive runs, 2026-12-02), and a ratio of two medians taken at
/// different speeds carries that drift. Pairing the sizes in time cancels it.
/// <c>dotnet run -c Release --project bench/Benchmarks -- growth 1000 5000 [rounds] [nogc]</c>; with <c>nogc</c> every
/// synthesis runs in a no-GC region (<see cref="GC.TryStartNoGCRegion(long)"/>), which separates the growth of the work
/// itself from that of the collector's. It also prints each stage's growth (validate, compile, guardrails, cost, render)
/// and the milliseconds it spends beyond the growth of the resources, so a stage that grows faster than the plan shows.
/// </summary>
internal static class GrowthProbe
{
    public static int Run(int small, int large, int rounds, bool noGc)
    {
        var synthesis = new SynthesisBenchmarks();
        var smallSpec = SpecParser.Parse(GeneratedSpecs.Yaml(small)).Spec!;
        var largeSpec = SpecParser.Parse(GeneratedSpecs.Yaml(large)).Spec!;

        // Warm-up: tiered compilation and dynamic PGO settle after about ten runs of the small size (SynthesisProbe).
        for (var i = 0; i < 12; i++)
        {
            Time(synthesis, smallSpec, noGc);
        }

        Time(synthesis, largeSpec, noGc);
        Time(synthesis, largeSpec, noGc);

        // As many small runs per round as take about as long as one large run, so both see the same minute.
        var repeats = Math.Max(1, large / small);
        var ratios = new List<double>();
        var smalls = new List<double>();
        var larges = new List<double>();
        // Per stage, each round's time (the small size's: the median of the round's runs).
        var smallStages = SynthesisBenchmarks.Stages.Select(_ => new List<double>()).ToArray();
        var largeStages = SynthesisBenchmarks.Stages.Select(_ => new List<double>()).ToArray();
        var collections = (Gen0: 0, Gen1: 0, Gen2: 0);
        for (var round = 0; round < rounds; round++)
        {
            var times = new List<double>();
            var stageTimes = SynthesisBenchmarks.Stages.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < repeats; i++)
            {
                times.Add(Time(synthesis, smallSpec, noGc, stageTimes));
            }

            for (var stage = 0; stage < stageTimes.Length; stage++)
            {
                smallStages[stage].Add(Median(stageTimes[stage]));
            }

            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var largeTime = Time(synthesis, largeSpec, noGc, largeStages);
            collections = (collections.Gen0 + GC.CollectionCount(0) - gen0, collections.Gen1 + GC.CollectionCount(1) - gen1,
                collections.Gen2 + GC.CollectionCount(2) - gen2);
            var smallTime = Median(times);
            smalls.Add(smallTime);
            larges.Add(largeTime);
            ratios.Add(largeTime / smallTime);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1,2}: {small} services {smallTime,8:F1} ms (median of {repeats}), {large} services {largeTime,8:F1} ms, ratio {largeTime / smallTime,5:F2}"));
        }

        var sorted = ratios.Order().ToList();
        var smallResources = SynthesisBenchmarks.ResourcesFor(small);
        var largeResources = SynthesisBenchmarks.ResourcesFor(large);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"growth {small} -> {large} services ({smallResources} -> {largeResources} resources, {(double)largeResources / smallResources:F2} x): " +
            $"median of {rounds} paired ratios {Median(ratios):F2} x (quartiles {sorted[rounds / 4]:F2}-{sorted[3 * rounds / 4]:F2}); " +
            $"ratio of the medians {Median(larges) / Median(smalls):F2} x ({Median(larges):F1} / {Median(smalls):F1} ms); " +
            $"{(noGc ? "no-GC regions (each opened by a full collection, outside the timed work), " : "")}per {large}-service synthesis {collections.Gen0 / (double)rounds:F1} gen0, {collections.Gen1 / (double)rounds:F1} gen1, {collections.Gen2 / (double)rounds:F1} gen2 collections"));

        // Where growth beyond the resources' own comes from: each stage's median over the rounds, and their ratio.
        for (var stage = 0; stage < SynthesisBenchmarks.Stages.Length; stage++)
        {
            var (smallMedian, largeMedian) = (Median(smallStages[stage]), Median(largeStages[stage]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {SynthesisBenchmarks.Stages[stage],-10} {smallMedian,8:F1} ms -> {largeMedian,8:F1} ms  {largeMedian / smallMedian,5:F2} x  (beyond {(double)largeResources / smallResources:F2} x: {largeMedian - smallMedian * largeResources / smallResources,6:F1} ms)"));
        }

        return 0;
    }

    private static double Time(SynthesisBenchmarks synthesis, EnvironmentSpec spec, bool noGc, List<double>[]? stages = null)
    {
        // A no-GC region must hold everything the synthesis allocates: 150 MB at 5,000 services, 3.3 KB per resource.
        if (noGc && !GC.TryStartNoGCRegion(256L << 20))
        {
            throw new InvalidOperationException("The runtime refused a no-GC region of 256 MB.");
        }

        var stamps = new long[SynthesisBenchmarks.Stages.Length];
        var start = Stopwatch.GetTimestamp();
        synthesis.Synthesise(spec, stamps);
        var elapsed = Stopwatch.GetElapsedTime(start, stamps[^1]).TotalMilliseconds;
        for (var stage = 0; stages is not null && stage < stamps.Length; stage++)
        {
            stages[stage].Add(Stopwatch.GetElapsedTime(stage == 0 ? start : stamps[stage - 1], stamps[stage]).TotalMilliseconds);
        }

        if (noGc)
        {
            // Ending a region the runtime had to leave (it ran out of room) throws: the figure would not be collector-free.
            GC.EndNoGCRegion();
        }

        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
