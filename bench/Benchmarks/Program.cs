using BenchmarkDotNet.Running;
using Platform.Benchmarks;

// dotnet run -c Release --project bench/Benchmarks -- --filter '*'   (see bench/README.md)
// dotnet run -c Release --project bench/Benchmarks -- probe 1000 5000   (one pass per size, stage by stage)
// dotnet run -c Release --project bench/Benchmarks -- growth 1000 5000 [rounds]   (the sizes paired in time, median ratio; nogc: without collections)
// dotnet run -c Release --project bench/Benchmarks -- spec 1000 [tier]   (prints a generated spec)
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

if (args.Length > 1 && args[0] == "spec")
{
    // The generated spec itself, e.g. for timing `platform render` as a process.
    Console.Out.Write(Platform.Generated.GeneratedSpecs.Yaml(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args.Length > 2 ? args[2] : "staging"));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
