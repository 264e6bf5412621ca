using System.Text.RegularExpressions;

namespace Platform.Cli.Tests.Architecture;

/// <summary>
/// The CLI references the Automation API's assembly for one command only, <c>platform db migrate</c> (it runs the
/// service's own migrations rather than a copy): every other command stays on <c>Platform.Components</c>, and the
/// service, EF Core and the database providers load only when that command runs, so they cost the others nothing.
/// </summary>
public sealed class CliDependencyTests
{
    private static readonly string SourceRoot = Path.Combine(RepositoryRoot(), "src", "Cli");

    [Fact]
    public void Only_the_database_folder_names_the_service()
    {
        var offenders = Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Database{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\bPlatform\.AutomationApi\b|\bMicrosoft\.EntityFrameworkCore\b|\bNpgsql\b"))
            .Select(f => Path.GetRelativePath(SourceRoot, f))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task Validate_plan_and_render_load_neither_the_service_nor_a_database_provider()
    {
        using var cli = new CliHarness();
        var spec = cli.Write("spec.yaml", CliHarness.KubernetesSpec);

        string[][] commands = [["validate", spec], ["plan", spec], ["render", spec, "--out", Path.Combine(cli.Directory.FullName, "out")]];
        foreach (var args in commands)
        {
            var result = await cli.RunAsync(args);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result.ExitCode}\n{result.Stderr}");
        }

        // No test of this project runs 'db migrate', so whatever is loaded here was loaded by the other commands.
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!).ToList();
        Assert.DoesNotContain(loaded, n => n == "Platform.AutomationApi" || n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || n.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
