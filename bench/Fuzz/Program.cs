using System.Globalization;
using Platform.AutomationApi.Tests.Fuzz;

// The long fuzz run against a service already listening on loopback (bench/fuzz.sh starts one).
// Usage: Platform.Fuzz <url> <count> <seconds> <seed> <body-limit-bytes>
if (args.Length != 5 || !Uri.TryCreate(args[0], UriKind.Absolute, out var server) || !server.IsLoopback)
{
    Console.Error.WriteLine("usage: Platform.Fuzz <loopback url> <count> <seconds> <seed> <body-limit-bytes>");
    return 2;
}

var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var budget = TimeSpan.FromSeconds(int.Parse(args[2], CultureInfo.InvariantCulture));
var seed = int.Parse(args[3], CultureInfo.InvariantCulture);
var limit = long.Parse(args[4], CultureInfo.InvariantCulture);
var run = new FuzzRun(server, seed, limit);
await run.RunAsync(count, budget, concurrency: 8, CancellationToken.None);
Console.WriteLine(run.Summary());
return run.Failures.Count == 0 ? 0 : 1;
