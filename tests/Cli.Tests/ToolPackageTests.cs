using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Cli.Tests;

/// <summary>
/// The CLI as teams get it: packed as a .NET tool, installed from a local folder source, run. The tool is RID-specific
/// (docs/performance.md): a pointer package, a ReadyToRun package for linux-x64 and a portable IL one for the rest.
/// </summary>
public sealed partial class ToolPackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository.");
    }

    private static Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, params string[] args) =>
        RunAsync(file, workingDirectory, new Dictionary<string, string>(), args);

    private static async Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    // Pack builds the RID-specific implementations itself (no --no-build: 'dotnet build' makes only the portable one).
    [Fact]
    public async Task PackedTool_InstallsFromALocalSource_AndRuns_VersionedFromGit()
    {
        var root = RepositoryRoot();
        var scratch = Directory.CreateTempSubdirectory("platform-tool-");
        try
        {
            var feed = Path.Combine(scratch.FullName, "feed");
            var (packed, packOutput) = await RunAsync("dotnet", root, "pack", "src/Cli/Cli.csproj", "-c", Configuration, "-o", feed,
                // What Source Link reads from the remote 'origin' of a clone of the hosted repository.
                "-p:PrivateRepositoryUrl=https://git.example.test/platform/platform.git");
            Assert.True(packed == 0, packOutput);

            var packages = Directory.GetFiles(feed, "Platform.Cli.*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(3, packages.Count);
            var package = Path.Combine(feed, packages.Single(p => !p!.StartsWith("Platform.Cli.any.", StringComparison.Ordinal) && !p.StartsWith("Platform.Cli.linux-x64.", StringComparison.Ordinal))!);
            var version = Path.GetFileNameWithoutExtension(package)["Platform.Cli.".Length..];
            Assert.Contains($"Platform.Cli.linux-x64.{version}.nupkg", packages);
            Assert.Contains($"Platform.Cli.any.{version}.nupkg", packages);
            Assert.NotEqual("1.0.0", version);
            Assert.Matches(SemVer(), version);
            using (var archive = ZipFile.OpenRead(package))
            {
                var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
                Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
                Assert.Contains("<projectUrl>https://git.example.test/platform/platform</projectUrl>", nuspec, StringComparison.Ordinal);
                Assert.Contains("<repository type=\"git\" url=\"https://git.example.test/platform/platform.git\"", nuspec, StringComparison.Ordinal);
                Assert.Contains(archive.Entries, e => e.FullName == "README.md");

                // The pointer package names the RID-specific ones; 'dotnet tool install' picks one for the machine.
                var settings = new StreamReader(archive.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open()).ReadToEnd();
                Assert.Contains("<RuntimeIdentifierPackage RuntimeIdentifier=\"linux-x64\" Id=\"Platform.Cli.linux-x64\" />", settings, StringComparison.Ordinal);
                Assert.Contains("<RuntimeIdentifierPackage RuntimeIdentifier=\"any\" Id=\"Platform.Cli.any\" />", settings, StringComparison.Ordinal);
            }

            AssertImplementation(Path.Combine(feed, $"Platform.Cli.linux-x64.{version}.nupkg"), "tools/net10.0/linux-x64/", readyToRun: true);
            AssertImplementation(Path.Combine(feed, $"Platform.Cli.any.{version}.nupkg"), "tools/net10.0/any/", readyToRun: false);

            var tools = Path.Combine(scratch.FullName, "tools");
            // A package cache of its own: the version (git height) repeats across uncommitted packs, and a cached package would win.
            var (installed, installOutput) = await RunAsync("dotnet", scratch.FullName, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(scratch.FullName, "packages") }, "tool", "install", "Platform.Cli", "--tool-path", tools,
                "--add-source", feed, "--version", version, "--ignore-failed-sources");
            Assert.True(installed == 0, installOutput);

            var platform = Path.Combine(tools, OperatingSystem.IsWindows() ? "platform.exe" : "platform");
            var (ran, versionOutput) = await RunAsync(platform, scratch.FullName, "--version");
            Assert.True(ran == 0, versionOutput);
            Assert.StartsWith(version, versionOutput.Trim(), StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(scratch.FullName, "spec.yaml"), CliHarness.KubernetesSpec);
            var (validated, validateOutput) = await RunAsync(platform, scratch.FullName, "validate", "spec.yaml");
            Assert.True(validated == 0, validateOutput);
            Assert.Equal("valid", validateOutput.Trim());

            // The installed command runs the precompiled package on linux-x64, with the runtime settings of a short-lived tool.
            var (reported, report) = await RunAsync(platform, scratch.FullName, new Dictionary<string, string> { [StartupReport.Variable] = "1" }, "validate", "spec.yaml");
            Assert.True(reported == 0, report);
            Assert.Contains("startup-report: settings TieredCompilation=default, TieredPGO=False, ConcurrentGC=True, LOHThreshold=2097152, ServerGC=False", report, StringComparison.OrdinalIgnoreCase);
            var precompiled = RuntimeInformation.RuntimeIdentifier == "linux-x64";
            Assert.Equal(precompiled, report.Contains("Platform.Components (R2R)", StringComparison.Ordinal));
            Assert.Equal(precompiled, report.Contains("Platform.Cli (R2R)", StringComparison.Ordinal));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    // A RID package carries the implementation: the runtime settings chosen in Cli.csproj, and ReadyToRun code for the
    // command path (Platform.Cli, Platform.Components, ...) or none (the portable package).
    private static void AssertImplementation(string package, string root, bool readyToRun)
    {
        using var archive = ZipFile.OpenRead(package);
        using (var config = JsonDocument.Parse(archive.GetEntry(root + "Platform.Cli.runtimeconfig.json")!.Open()))
        {
            var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
            Assert.Equal(2097152, properties.GetProperty("System.GC.LOHThreshold").GetInt32());
        }

        foreach (var assembly in new[] { "Platform.Cli.dll", "Platform.Components.dll", "YamlDotNet.dll", "System.CommandLine.dll" })
        {
            Assert.True(IsReadyToRun(archive, root + assembly) == readyToRun, $"{root}{assembly} in {Path.GetFileName(package)}: ReadyToRun expected {readyToRun}");
        }

        // The service's own assembly loads only for 'db migrate' and stays IL.
        Assert.False(IsReadyToRun(archive, root + "Platform.AutomationApi.dll"));
    }

    private static bool IsReadyToRun(ZipArchive archive, string path)
    {
        using var copy = new MemoryStream();
        using (var entry = archive.GetEntry(path)!.Open())
        {
            entry.CopyTo(copy);
        }

        copy.Position = 0;
        using var pe = new PEReader(copy);
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
