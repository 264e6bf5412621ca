using System.Text.RegularExpressions;

namespace Platform.Components.Tests.Architecture;

/// <summary>
/// What <c>Platform.Components</c> may depend on: no web or database framework (it is a library every entry point
/// shares), and no back-references between the Kubernetes and AWS golden paths or from the spec model to the plan
/// compiler. Folders are read from the source, so a new file is held to the same rules.
/// </summary>
public sealed partial class DependencyTests
{
    private static readonly string SourceRoot = Path.Combine(RepositoryRoot(), "src", "Components");

    [Fact]
    public void Components_references_no_web_or_database_framework()
    {
        var references = typeof(EnvironmentPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Pulumi", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Kubernetes", "Aws")]
    [InlineData("Aws", "Kubernetes")]
    [InlineData("Specs", "Aws")]
    [InlineData("Specs", "Rendering")]
    [InlineData("Planning", "Aws")]
    [InlineData("Planning", "Kubernetes")]
    [InlineData("Planning", "Rendering")]
    [InlineData("Tiers", "Resources")]
    [InlineData("Documents", "Specs")]
    [InlineData("Targets", "Planning")]
    public void A_folder_does_not_reach_into_another(string folder, string forbidden)
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(SourceRoot, folder), "*.cs", SearchOption.AllDirectories)
            .Where(file => References(File.ReadAllText(file), forbidden))
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_resource_kind_lives_in_its_own_folder_under_resources()
    {
        var kinds = typeof(EnvironmentPipeline).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(global::Platform.Components.Resources.ResourceKind)) && !t.IsAbstract);

        Assert.All(kinds, k =>
        {
            Assert.StartsWith("Platform.Components.Resources.", k.Namespace, StringComparison.Ordinal);
            var folder = k.Namespace!["Platform.Components.Resources.".Length..];
            Assert.True(File.Exists(Path.Combine(SourceRoot, "Resources", folder, k.Name + ".cs")), k.Name);
        });
    }

    [Fact]
    public void Shared_code_names_no_resource_kinds_own_aws_types()
    {
        // A kind's AWS resources (RDS, S3, SQS, …) are planned, named, priced and guarded in its own folder, so adding
        // a kind touches no shared file. The token table itself (Aws/AwsTypes.cs) is the one shared place that lists them.
        var kindTypes = new Regex(@"AwsTypes\.(DbInstance|DbSubnetGroup|Bucket\w*|Queue)\b");
        var kindFolders = Path.Combine(SourceRoot, "Resources") + Path.DirectorySeparatorChar;
        var offenders = Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(file => !(Path.GetDirectoryName(file) + Path.DirectorySeparatorChar).StartsWith(kindFolders, StringComparison.Ordinal) || Path.GetDirectoryName(file) + Path.DirectorySeparatorChar == kindFolders)
            .Where(file => Path.GetFileName(file) != "AwsTypes.cs" && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(file => kindTypes.IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(SourceRoot, file))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_shared_guardrails_state_no_resource_kinds_rules()
    {
        // What a kind's share of a guardrail demands is stated by the kind (ResourceKind.Guardrails) beside its check
        // (ResourceKind.Violations), so a new kind's guardrails need no edit here. Rule ids are names, not statements.
        var literals = StringLiteral().Matches(File.ReadAllText(Path.Combine(SourceRoot, "Policies", "GuardrailRules.cs")))
            .Select(m => m.Value)
            .Where(l => !l.StartsWith("\"PLT", StringComparison.Ordinal));
        var kindWords = new Regex(@"\b(RDS|S3|SQS|ElastiCache|database|bucket|queue|cache|Valkey|Redis)", RegexOptions.IgnoreCase);

        Assert.DoesNotContain(literals, l => kindWords.IsMatch(l));
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    // A using of the namespace, or a qualified name through it (Aws.AwsTypes, Platform.Components.Aws.X).
    private static bool References(string source, string folder) =>
        Regex.IsMatch(source, $@"(using\s+(static\s+)?Platform\.Components\.{folder}\b)|((?<![\w.])(Platform\.Components\.)?{folder}\.[A-Z]\w*\.)|(^\s*using\s+Platform\.Components\.{folder};)", RegexOptions.Multiline);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository: Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
