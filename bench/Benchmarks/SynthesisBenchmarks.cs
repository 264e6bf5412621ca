using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Platform.Components;
using Platform.Components.Costs;
using Platform.Components.Costs.Prices;
using Platform.Components.Policies;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Generated;

namespace Platform.Benchmarks;

/// <summary>
/// Plan synthesis as issue 14 measures it: validate + compile + guardrails + cost + render (streamed, as
/// <c>platform render</c> writes it) of a generated environment (<see cref="GeneratedSpecs"/>) of 10, 100, 1,000 and
/// 5,000 services. The "µs/resource" and "B/resource" columns divide by the plan's resources, so linear growth
/// shows as flat columns. <c>PLATFORM_BENCH_SIZES=10,100</c> picks sizes (the CI's short run uses 10).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerResourceConfig))]
public class SynthesisBenchmarks
{
    private static readonly PriceTable Prices = PriceTable.Load();
    private EnvironmentSpec _spec = null!;
    private string _exampleText = "";

    /// <summary>Services in the generated environment.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Services { get; set; }

    public static IEnumerable<int> Sizes() =>
        Environment.GetEnvironmentVariable("PLATFORM_BENCH_SIZES") is { Length: > 0 } sizes
            ? sizes.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            : [10, 100, 1000, 5000];

    [GlobalSetup]
    public void Setup()
    {
        _spec = SpecParser.Parse(GeneratedSpecs.Yaml(Services)).Spec!;
        _exampleText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
    }

    /// <summary>The same-run baseline: parsing the README example (as in <see cref="PipelineBenchmarks"/>).</summary>
    [Benchmark(Baseline = true)]
    public EnvironmentSpec? ParseExample() => SpecParser.Parse(_exampleText).Spec;

    [Benchmark]
    public int Synthesise() => Synthesise(_spec);

    /// <summary>The measured work, for <see cref="GrowthProbe"/> too.</summary>
    internal int Synthesise(EnvironmentSpec spec, long[]? stamps = null)
    {
        var errors = SpecValidator.Validate(spec, TargetSettings.Default);
        Stamp(stamps, 0);
        var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);
        Stamp(stamps, 1);
        var policy = PolicyEngine.Evaluate(plan, PolicySettings.Default);
        Stamp(stamps, 2);
        var cost = CostEstimator.Estimate(plan, Prices);
        Stamp(stamps, 3);
        PulumiYamlRenderer.Render(plan, TextWriter.Null);
        Stamp(stamps, 4);
        return errors.Length + policy.Violations.Length + cost.Resources.Length;
    }

    /// <summary>The stages <see cref="Synthesise(EnvironmentSpec, long[])"/> stamps the end of, in order.</summary>
    internal static readonly string[] Stages = ["validate", "compile", "guardrails", "cost", "render"];

    private static void Stamp(long[]? stamps, int stage)
    {
        if (stamps is not null)
        {
            stamps[stage] = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    internal static int ResourcesFor(int services) =>
        PlanCompiler.Compile(SpecParser.Parse(GeneratedSpecs.Yaml(services)).Spec!, DeploymentTarget.Default).Resources.Length;

    private sealed class PerResourceConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public PerResourceConfig() => AddColumn(StatisticColumn.Median, new PerResourceColumn(allocation: false), new PerResourceColumn(allocation: true));
    }

    /// <summary>Mean time or bytes allocated per operation, divided by the plan's resource count.</summary>
    private sealed class PerResourceColumn(bool allocation) : IColumn
    {
        private static readonly Dictionary<int, int> Resources = [];

        public string Id => allocation ? "BytesPerResource" : "MicrosecondsPerResource";

        public string ColumnName => allocation ? "B/resource" : "µs/resource";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => allocation ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => allocation ? "Bytes allocated per operation / resources in the plan" : "Mean time per operation / resources in the plan, in µs";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is null || benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(Synthesise) ||
                benchmarkCase.Parameters["Services"] is not int services)
            {
                return "-";
            }

            if (!Resources.TryGetValue(services, out var resources))
            {
                Resources[services] = resources = ResourcesFor(services);
            }

            return allocation
                ? (report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) / (double)resources)?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"
                : (report.ResultStatistics.Mean / 1000 / resources).ToString("N2", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
