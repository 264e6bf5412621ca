using BenchmarkDotNet.Running;
using Platform.Benchmarks;

// dotnet run -c Release --project bench/Benchmarks -- --filter '*'   (see bench/README.md)
// dotnet run -c Release --project bench/Benchmarks -- probe 1000 5000   (one pass per size, stage by stage)
// dotnet run -c Release --project bench/Benchmarks -- growth 1000 5000 [rounds]   (the sizes paired in time, median ratio; nogc: without collections)
// dotnet run -c Release --project bench/Benchmarks -- spec 1000 [tier]   (prints a generated spec)
// dotnet run -c Release --project bench/Benchmarks -- repeat 1000 2   (n syntheses of one size, for bench/instructions.sh)
if (args.Length > 0 && args[0] == "probe")
{
    return SynthesisProbe.Run(args.Skip(1));
}

if (args.Length > 2 && args[0] == "growth")
{
    return GrowthProbe.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 15, args.Contains("nogc"));
}

if (args.Length > 2 && args[0] == "allocations")
{
    return AllocationProbe.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length > 2 && args[0] == "repeat")
{
    // n syntheses of one size after a 10-service warm-up, for an instruction counter (bench/instructions.sh): the
    // difference between the counts of two runs that differ only in n is the extra syntheses alone, whatever start-up,
    // parsing the spec and the JIT cost.
    var synthesis = new SynthesisBenchmarks();
    var services = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
    var spec = Platform.Components.SpecDocuments.SpecParser.Parse(Platform.Generated.GeneratedSpecs.Yaml(services)).Spec!;
    synthesis.Synthesise(Platform.Components.SpecDocuments.SpecParser.Parse(Platform.Generated.GeneratedSpecs.Yaml(10)).Spec!);
    for (var i = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture); i > 0; i--)
    {
        synthesis.Synthesise(spec);
    }

    Console.WriteLine($"resources {SynthesisBenchmarks.ResourcesFor(services)}");
    return 0;
}

if (args.Length > 1 && args[0] == "spec")
{
    // The generated spec itself, e.g. for timing `platform render` as a process.
    Console.Out.Write(Platform.Generated.GeneratedSpecs.Yaml(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args.Length > 2 ? args[2] : "staging"));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
