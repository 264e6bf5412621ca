namespace Platform.Components.Tests.Architecture;

/// <summary>
/// The folders (namespaces) of <c>Platform.Components</c> depend on each other in one direction only, read from the
/// compiled assembly (<see cref="NamespaceGraph"/>): no cycle, and every dependency points down <see cref="Layers"/>.
/// </summary>
public sealed class NamespaceCycleTests
{
    private const string Prefix = "Platform.Components";

    /// <summary>
    /// The allowed direction, top to bottom: a folder may depend only on folders in lower rows; folders in one row
    /// never depend on each other (the Kubernetes and AWS golden paths, the resource kinds). <c>Resources.*</c> is
    /// every kind's own folder: nothing names a kind, the registry (<c>Resources</c>) finds them.
    /// </summary>
    private static readonly string[][] Layers =
    [
        [""],                                         // the pipeline and the plan compiler: wire everything below
        ["Resources.*", "Rendering", "SpecDocuments"], // kinds; plan → Pulumi YAML/JSON/summary; parse/validate/write specs
        ["Costs"],                                    // the estimate, priced by the kinds' cost models
        ["Policies"],                                 // guardrails, with each kind's share
        ["Kubernetes", "Aws"],                        // the golden paths' planners and names
        ["Resources"],                                // the kind contract and registry
        ["Planning"],                                 // the plan model, builder and context
        ["Targets"],                                  // deployment targets
        ["Settings", "Tiers"],                        // settings files; tier defaults
        ["Specs"],                                    // the spec model
        ["Documents", "Costs.Prices"],                // YAML/JSON documents; the price table
    ];

    [Fact]
    public void Components_namespaces_form_no_cycle()
    {
        var graph = NamespaceGraph.Of(typeof(EnvironmentPipeline).Assembly, Prefix);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "Folder cycles in Platform.Components (cut one edge of each):\n" +
            string.Join("\n", cycles.Select(c => $"[{string.Join(", ", c.Select(NamespaceGraph.Name))}]\n  " + string.Join("\n  ", graph.Describe(c)))));
    }

    [Fact]
    public void Every_dependency_points_down_the_layers()
    {
        var graph = NamespaceGraph.Of(typeof(EnvironmentPipeline).Assembly, Prefix);

        var unplaced = graph.Nodes.Where(n => Layer(n) is null).Select(NamespaceGraph.Name).ToList();
        var upward = graph.Nodes.Where(n => Layer(n) is not null)
            .SelectMany(from => graph.Targets(from).Where(to => Layer(to) is { } target && target >= Layer(from)!.Value)
                .Select(to => $"{NamespaceGraph.Name(from)} -> {NamespaceGraph.Name(to)}: {string.Join("; ", graph.Edges[from][to].Take(3))}"))
            .ToList();

        Assert.True(unplaced.Count == 0, $"Folders missing from {nameof(Layers)} (place each in the row it belongs to): {string.Join(", ", unplaced)}");
        Assert.True(upward.Count == 0, "Dependencies against the layering (move the code, or invert the dependency):\n" + string.Join("\n", upward));
    }

    [Fact]
    public void The_graph_sees_every_folder()
    {
        var graph = NamespaceGraph.Of(typeof(EnvironmentPipeline).Assembly, Prefix);

        Assert.Superset(new SortedSet<string>(["", "Aws", "Costs", "Costs.Prices", "Documents", "Kubernetes", "Planning", "Policies", "Rendering", "Resources", "Resources.Bucket", "Resources.Cache", "Resources.Postgres", "Resources.Queue", "Settings", "SpecDocuments", "Specs", "Targets", "Tiers"]), graph.Nodes);
        Assert.Contains("Planning", graph.Targets("Aws"));
    }

    // The row of a folder, counted from the bottom; null when the table does not place it.
    private static int? Layer(string node)
    {
        for (var row = 0; row < Layers.Length; row++)
        {
            if (Layers[row].Any(n => n == node || (n.EndsWith(".*", StringComparison.Ordinal) && node.StartsWith(n[..^1], StringComparison.Ordinal))))
            {
                return Layers.Length - row;
            }
        }

        return null;
    }

    [Fact]
    public void A_cycle_through_a_method_body_alone_is_found()
    {
        // CycleSample.Left names CycleSample.Right only inside a method body, Right names Left only in a signature.
        var graph = NamespaceGraph.Of(typeof(NamespaceCycleTests).Assembly, typeof(CycleSample.Left.Caller).Namespace![..^".Left".Length]);

        var cycle = Assert.Single(graph.Cycles());

        Assert.Equal(["Left", "Right"], cycle);
    }

    [Fact]
    public void References_through_generic_arguments_and_lambdas_are_edges_and_no_back_edge_is_no_cycle()
    {
        var graph = NamespaceGraph.Of(typeof(NamespaceCycleTests).Assembly, typeof(AcyclicSample.Upper.Reader).Namespace![..^".Upper".Length]);

        Assert.Equal(["Lower"], graph.Targets("Upper"));
        Assert.Empty(graph.Targets("Lower"));
        Assert.Empty(graph.Cycles());
    }
}
