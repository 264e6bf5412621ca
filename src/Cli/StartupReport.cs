using System.Globalization;
using System.Runtime;

namespace Platform.Cli;

/// <summary>
/// With <c>PLATFORM_CLI_STARTUP_REPORT=1</c>, the CLI writes to stderr, after the command, where its process spent CPU:
/// before <c>Main</c> (host and runtime start), in the JIT, in garbage collection, and which assemblies it loaded.
/// For attributing start-up against the pipeline (docs/performance.md); nothing is measured without the variable.
/// </summary>
internal sealed class StartupReport
{
    /// <summary>The environment variable that turns the report on.</summary>
    public const string Variable = "PLATFORM_CLI_STARTUP_REPORT";

    private readonly TimeSpan _cpuAtMain = Environment.CpuUsage.TotalTime;
    private readonly TimeSpan _jitAtMain = JitInfo.GetCompilationTime();
    private readonly long _methodsAtMain = JitInfo.GetCompiledMethodCount();

    private StartupReport()
    {
    }

    /// <summary>A report started now when <see cref="Variable"/> is <c>1</c> or <c>true</c>; otherwise <see langword="null"/>.</summary>
    public static StartupReport? StartIfRequested(Func<string, string?> getEnvironmentVariable) =>
        getEnvironmentVariable(Variable) is "1" or "true" ? new StartupReport() : null;

    /// <summary>Writes the figures, one <c>startup-report:</c> line each.</summary>
    public void WriteTo(TextWriter writer)
    {
        var cpu = Environment.CpuUsage;
        var jit = JitInfo.GetCompilationTime();
        var methods = JitInfo.GetCompiledMethodCount();
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var appAssemblies = assemblies
            .Where(a => a.IsDynamic || Path.GetDirectoryName(a.Location) != frameworkDirectory)
            .Select(a => a.GetName().Name + (a.IsDynamic ? " (dynamic)" : IsReadyToRun(a.Location) ? " (R2R)" : ""))
            .Order(StringComparer.Ordinal);
        var settings = string.Join(", ",
            $"TieredCompilation={AppContext.GetData("System.Runtime.TieredCompilation") ?? "default"}",
            $"TieredPGO={AppContext.GetData("System.Runtime.TieredPGO") ?? "default"}",
            $"ConcurrentGC={GCSettings.LatencyMode != GCLatencyMode.Batch}",
            $"LOHThreshold={AppContext.GetData("System.GC.LOHThreshold") ?? "default"}",
            $"ServerGC={GCSettings.IsServerGC}");

        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(c, $"startup-report: cpu {cpu.TotalTime.TotalSeconds:0.000} s (user {cpu.UserTime.TotalSeconds:0.000}, sys {cpu.PrivilegedTime.TotalSeconds:0.000}); before Main {_cpuAtMain.TotalSeconds:0.000} s"));
        writer.WriteLine(string.Create(c, $"startup-report: jit {jit.TotalSeconds:0.000} s, {methods} methods (before Main {_jitAtMain.TotalSeconds:0.000} s, {_methodsAtMain} methods)"));
        writer.WriteLine(string.Create(c, $"startup-report: gc {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2, pauses {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MB, working set at exit {Environment.WorkingSet / 1048576.0:0} MB"));
        writer.WriteLine(string.Create(c, $"startup-report: settings {settings}"));
        writer.WriteLine(string.Create(c, $"startup-report: assemblies {assemblies.Length}, outside the shared framework: {string.Join(", ", appAssemblies)}"));
    }

    // A ReadyToRun image carries a managed native header in its CLI header (ECMA-335 II.25.3.3, offset 64).
    private static bool IsReadyToRun(string path)
    {
        try
        {
            using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
            return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
