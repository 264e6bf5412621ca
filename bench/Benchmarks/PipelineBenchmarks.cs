using System.Text;
using BenchmarkDotNet.Attributes;
using Platform.Components;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Benchmarks;

/// <summary>
/// The spec pipeline, stage by stage, on the README example and on a large environment (40 services, 20 resources).
/// Parsing the example is the baseline: the other rows read as multiples of it.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private string _exampleText = "";
    private string _largeText = "";
    private EnvironmentSpec _example = null!;
    private EnvironmentSpec _large = null!;
    private ResourcePlan _examplePlan = null!;
    private ResourcePlan _largePlan = null!;

    [GlobalSetup]
    public void Setup()
    {
        _exampleText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"));
        _largeText = LargeSpec(services: 40, resources: 20);
        _example = SpecParser.Parse(_exampleText).Spec!;
        _large = SpecParser.Parse(_largeText).Spec!;
        _examplePlan = PlanCompiler.Compile(_example, DeploymentTarget.Default);
        _largePlan = PlanCompiler.Compile(_large, DeploymentTarget.Default);
    }

    [Benchmark(Baseline = true)]
    public EnvironmentSpec? ParseExample() => SpecParser.Parse(_exampleText).Spec;

    [Benchmark]
    public int ValidateExample() => SpecValidator.Validate(_example, TargetSettings.Default).Length;

    [Benchmark]
    public ResourcePlan CompileExample() => PlanCompiler.Compile(_example, DeploymentTarget.Default);

    [Benchmark]
    public RenderedProgram RenderExample() => PulumiYamlRenderer.Render(_examplePlan);

    [Benchmark]
    public EnvironmentSpec? ParseLarge() => SpecParser.Parse(_largeText).Spec;

    [Benchmark]
    public ResourcePlan CompileLarge() => PlanCompiler.Compile(_large, DeploymentTarget.Default);

    [Benchmark]
    public RenderedProgram RenderLarge() => PulumiYamlRenderer.Render(_largePlan);

    internal static string LargeSpec(int services, int resources)
    {
        var text = new StringBuilder("""
            apiVersion: platform/v1
            kind: Environment
            metadata: { name: large-staging, team: bench, costCenter: cc-1 }
            spec:
              tier: staging
              resources:

            """);
        string[] types = ["postgres", "bucket", "queue"];
        for (var r = 0; r < resources; r++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - {{ name: res{r}, type: {types[r % 3]} }}\n");
        }

        text.Append("  services:\n");
        for (var s = 0; s < services; s++)
        {
            var uses = string.Join(", ", new[] { $"res{s % resources}", $"res{(s + 7) % resources}" }.Concat(s > 0 ? [$"svc{s - 1}"] : []));
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"    - {{ name: svc{s}, type: web, image: registry.example.com/bench/svc{s}:1.0.{s}, host: svc{s}, uses: [{uses}], env: {{ MODE: bench }} }}\n");
        }

        return text.ToString();
    }
}
