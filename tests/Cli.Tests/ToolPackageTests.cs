using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Platform.Cli.Tests;

/// <summary>The CLI as teams get it: packed as a .NET tool, installed from a local folder source, run.</summary>
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

    private static async Task<(int Code, string Output)> RunAsync(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
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

    [Fact]
    public async Task PackedTool_InstallsFromALocalSource_AndRuns_VersionedFromGit()
    {
        var root = RepositoryRoot();
        var scratch = Directory.CreateTempSubdirectory("platform-tool-");
        try
        {
            var feed = Path.Combine(scratch.FullName, "feed");
            var (packed, packOutput) = await RunAsync("dotnet", root, "pack", "src/Cli/Cli.csproj", "-c", Configuration, "--no-build", "-o", feed,
                // What Source Link reads from the remote 'origin' of a clone of the hosted repository.
                "-p:PrivateRepositoryUrl=https://git.example.test/platform/platform.git");
            Assert.True(packed == 0, packOutput);

            var package = Assert.Single(Directory.GetFiles(feed, "Platform.Cli.*.nupkg"));
            var version = Path.GetFileNameWithoutExtension(package)["Platform.Cli.".Length..];
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
            }

            var tools = Path.Combine(scratch.FullName, "tools");
            var (installed, installOutput) = await RunAsync("dotnet", scratch.FullName, "tool", "install", "Platform.Cli", "--tool-path", tools,
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
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
