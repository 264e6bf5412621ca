using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Platform.Cli.Commands;

/// <summary>
/// <c>platform init [directory]</c>: starts an application repository on the golden path. It finds the service (name
/// from the project file or the folder, port from a Dockerfile <c>EXPOSE</c> or ASP.NET launch settings, image from the
/// registry convention) and writes a starter environment spec plus CI workflows for GitHub Actions and GitLab CI that
/// validate and plan on pull requests and deploy from the main branch.
/// </summary>
internal static partial class InitCommand
{
    /// <summary>The variable naming the registry prefix images are pushed under, e.g. <c>registry.example.com/payments</c>.</summary>
    public const string RegistryVariable = "PLATFORM_REGISTRY";

    /// <summary>The variable naming the owning team.</summary>
    public const string TeamVariable = "PLATFORM_TEAM";

    /// <summary>Where the spec is written, relative to the repository.</summary>
    public const string SpecPath = "platform/environment.yaml";

    /// <summary>Where the GitHub Actions workflow is written.</summary>
    public const string GitHubWorkflowPath = ".github/workflows/platform.yml";

    /// <summary>Where the GitLab CI snippet is written (include it from <c>.gitlab-ci.yml</c>).</summary>
    public const string GitLabSnippetPath = "platform/gitlab-ci.yml";

    /// <summary>The port a web service gets when nothing names one (the ASP.NET Core container default).</summary>
    public const int DefaultPort = 8080;

    private const int MaxServiceName = 30;

    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("directory") { Description = "The application repository (default: the current directory).", DefaultValueFactory = _ => "." };
        var registry = new Option<string?>("--registry") { Description = $"Registry prefix images are pushed under (default: ${RegistryVariable}), e.g. registry.example.com/payments." };
        var team = new Option<string?>("--team") { Description = $"Owning team (default: ${TeamVariable})." };
        var tier = new Option<string>("--tier") { Description = "Tier of the starter environment: dev, staging or prod.", DefaultValueFactory = _ => "staging" };
        var force = new Option<bool>("--force") { Description = "Overwrite files that already exist." };
        var command = new Command("init", "Write a starter environment spec and CI workflows (GitHub Actions, GitLab CI) for the service in a repository.")
        {
            directory, registry, team, tier, force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = context.Resolve(parse.GetValue(directory)!);
            if (File.Exists(root))
            {
                throw new UsageException($"{parse.GetValue(directory)} is a file; name the project's directory (the one holding its .csproj or Dockerfile).");
            }

            if (!Directory.Exists(root))
            {
                throw new UsageException($"Directory not found: {parse.GetValue(directory)}");
            }

            var tierName = parse.GetValue(tier)!;
            if (tierName is not ("dev" or "staging" or "prod"))
            {
                throw new UsageException($"--tier '{tierName}' is not a tier; use dev, staging or prod.");
            }

            var found = Detect(root);
            var teamName = DnsName(parse.GetValue(team) ?? context.GetEnvironmentVariable(TeamVariable) ?? "my-team", 63);
            var registryPrefix = (parse.GetValue(registry) ?? context.GetEnvironmentVariable(RegistryVariable) ?? $"registry.example.com/{teamName}").TrimEnd('/').ToLowerInvariant();
            var starter = new Starter(found, teamName, $"{registryPrefix}/{found.Name}", tierName);
            var files = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [SpecPath] = starter.Spec(),
                [GitHubWorkflowPath] = starter.GitHubActions(),
                [GitLabSnippetPath] = starter.GitLabCi(),
            };
            var existing = files.Keys.Where(f => File.Exists(Path.Combine(root, f))).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
            {
                throw new UsageException($"Not overwriting {string.Join(", ", existing)}; pass --force to replace.");
            }

            foreach (var (relative, text) in files)
            {
                var path = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text, cancellationToken);
                await context.Stdout.WriteLineAsync($"wrote {relative}");
            }

            // The same image and port (and words for where the port came from) as the spec just written.
            await context.Stdout.WriteLineAsync(
                $"service {found.Name}: {found.Type}, {(found.Port is { } p ? $"port {p} ({found.PortSource})" : "no port")}, image {starter.Image} " +
                $"(CI deploys {starter.Repository}:<commit sha>), from {found.Source}");
            foreach (var note in found.Notes)
            {
                await context.Stderr.WriteLineAsync($"note: {note}");
            }

            await context.Stdout.WriteLineAsync($"next: set metadata.team/costCenter in {SpecPath}, then 'platform validate {SpecPath}'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What was found about the service in a repository.</summary>
    internal sealed record Detected(string Name, string Type, int? Port, string Source, string PortSource, IReadOnlyList<string> Notes);

    /// <summary>Finds the service in <paramref name="root"/>: an ASP.NET project first, then any project, then the folder.</summary>
    internal static Detected Detect(string root)
    {
        var notes = new List<string>();
        var projects = Directory.EnumerateFiles(root, "*.csproj", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 })
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "tests" or "test") && !Path.GetFileName(p).Contains("Test", StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.Count(c => c == Path.DirectorySeparatorChar)).ThenBy(p => p, StringComparer.Ordinal)
            .ToList();
        var project = projects.FirstOrDefault(IsWebProject) ?? projects.FirstOrDefault();
        var isWeb = project is not null && IsWebProject(project);
        var name = DnsName(project is null ? Path.GetFileName(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar)) : Path.GetFileNameWithoutExtension(project), MaxServiceName);
        var source = project is null ? "the folder name" : Path.GetRelativePath(root, project);

        int? port = null;
        var portSource = "";
        string? portText = null; // as written, when it is too long for a number
        var projectDirectory = project is null ? root : Path.GetDirectoryName(project)!;
        foreach (var dockerfile in new[] { Path.Combine(projectDirectory, "Dockerfile"), Path.Combine(root, "Dockerfile") }.Distinct())
        {
            if (port is null && File.Exists(dockerfile) && Expose().Match(File.ReadAllText(dockerfile)) is { Success: true } expose)
            {
                // Digits past int's range are no port either: the range check below refuses them like 80 or 70000.
                portText = expose.Groups["port"].Value;
                port = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var exposed) ? exposed : int.MaxValue;
                portSource = "from Dockerfile EXPOSE";
            }
        }

        var launchSettings = Path.Combine(projectDirectory, "Properties", "launchSettings.json");
        if (port is null && File.Exists(launchSettings) && LaunchSettingsPort(File.ReadAllText(launchSettings)) is { } launchPort)
        {
            port = launchPort;
            portSource = "from Properties/launchSettings.json";
        }

        var type = isWeb || port is not null ? "web" : "worker";
        if (port is < 1024 or > 65535)
        {
            var written = port == int.MaxValue ? portText : port?.ToString(CultureInfo.InvariantCulture);
            notes.Add($"port {written} ({portSource}) is outside 1024-65535: containers run as non-root and cannot bind it; using {DefaultPort}. Make the app listen there (ASPNETCORE_HTTP_PORTS={DefaultPort}).");
            (port, portSource) = (DefaultPort, $"the default for web services, in place of {written} {portSource}");
        }

        if (type == "web" && port is null)
        {
            (port, portSource) = (DefaultPort, "the default for web services");
        }

        if (project is null && !File.Exists(Path.Combine(root, "Dockerfile")))
        {
            notes.Add("found neither a project file nor a Dockerfile; the spec is a starting point to edit.");
        }

        return new Detected(name, type, port, source, portSource, notes);
    }

    private static bool IsWebProject(string project)
    {
        try
        {
            var sdk = XDocument.Load(project).Root?.Attribute("Sdk")?.Value ?? "";
            return sdk.StartsWith("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase);
        }
        catch (System.Xml.XmlException)
        {
            return false;
        }
    }

    /// <summary>The port of the first <c>http://</c> application URL in ASP.NET launch settings.</summary>
    internal static int? LaunchSettingsPort(string json)
    {
        try
        {
            var settings = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var urls = (settings?["profiles"] as JsonObject)?.Select(p => (string?)p.Value?["applicationUrl"]).OfType<string>()
                .SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) ?? [];
            var chosen = urls.OrderBy(u => u.StartsWith("http://", StringComparison.Ordinal) ? 0 : 1).FirstOrDefault();
            return chosen is not null && Uri.TryCreate(chosen, UriKind.Absolute, out var uri) ? uri.Port : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A DNS label from any name: lower case, runs of other characters as one hyphen, at most <paramref name="max"/> characters.</summary>
    internal static string DnsName(string name, int max)
    {
        var words = Camel().Replace(name, "$1-$2");
        var label = NotDns().Replace(words.ToLowerInvariant(), "-").Trim('-');
        label = label.Length > max ? label[..max].TrimEnd('-') : label;
        return label.Length == 0 ? "app" : char.IsAsciiLetter(label[0]) ? label : "app-" + label;
    }

    [GeneratedRegex(@"^\s*EXPOSE\s+(?<port>\d+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex Expose();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotDns();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex Camel();

    /// <summary>The files <c>init</c> writes for a detected service.</summary>
    private sealed record Starter(Detected Service, string Team, string Repository, string Tier)
    {
        public string Environment => $"{Service.Name}-{Tier}";

        /// <summary>The spec's image: the first version's tag, until CI deploys each commit's.</summary>
        public string Image => $"{Repository}:0.1.0";

        public string Spec()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"# Environment spec for {Service.Name}, written by 'platform init' from {Service.Source}.");
            text.AppendLine("# Every field: see the Platform README. Check it with 'platform validate' and 'platform plan'.");
            text.AppendLine("apiVersion: platform/v1");
            text.AppendLine("kind: Environment");
            text.AppendLine(CultureInfo.InvariantCulture, $"metadata: {{ name: {Environment}, team: {Team}, costCenter: cc-0000 }}   # set your cost center");
            text.AppendLine("spec:");
            text.AppendLine(CultureInfo.InvariantCulture, $"  tier: {Tier}");
            text.AppendLine("  target: default");
            text.AppendLine("  services:");
            text.AppendLine(CultureInfo.InvariantCulture, $"    - name: {Service.Name}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      type: {Service.Type}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      image: {Image}   # CI deploys each commit's image with 'platform deploy'");
            if (Service.Port is { } port)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      port: {port}   # {Service.PortSource}");
            }

            if (Service.Type == "web")
            {
                text.AppendLine("      healthPath: /healthz   # answered 200 when the service is up");
            }

            return text.ToString();
        }

        public string GitHubActions() => $$$"""
            # Platform: validate and plan the environment on pull requests; deploy this commit's image from main.
            # Needs: repository variables PLATFORM_URL and PLATFORM_CLI_SOURCE (the package source Platform.Cli is published to),
            # secret PLATFORM_TOKEN, and a job that pushes {{{Repository}}}:<commit sha>.
            name: platform
            on:
              pull_request:
              push:
                branches: [main]
            env:
              PLATFORM_URL: ${{ vars.PLATFORM_URL }}
              PLATFORM_TOKEN: ${{ secrets.PLATFORM_TOKEN }}
            jobs:
              check:
                if: github.event_name == 'pull_request'
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - uses: actions/setup-dotnet@v4
                    with:
                      dotnet-version: "10.0.x"
                  - run: dotnet tool install --global Platform.Cli --add-source "${{ vars.PLATFORM_CLI_SOURCE }}"
                  - run: platform validate {{{SpecPath}}}
                  - run: platform plan {{{SpecPath}}} --json > plan.json
                  - uses: actions/upload-artifact@v4
                    with:
                      name: platform-plan
                      path: plan.json
              deploy:
                if: github.event_name == 'push' && github.ref == 'refs/heads/main'
                runs-on: ubuntu-latest
                concurrency: platform-{{{Environment}}}
                steps:
                  - uses: actions/setup-dotnet@v4
                    with:
                      dotnet-version: "10.0.x"
                  - run: dotnet tool install --global Platform.Cli --add-source "${{ vars.PLATFORM_CLI_SOURCE }}"
                  - run: platform deploy {{{Environment}}} {{{Service.Name}}} {{{Repository}}}:${{ github.sha }}

            """;

        public string GitLabCi() => $$"""
            # Platform: validate and plan the environment on merge requests; deploy this commit's image from the default branch.
            # Include it from .gitlab-ci.yml with:  include: [{ local: {{GitLabSnippetPath}} }]
            # Needs: CI/CD variables PLATFORM_URL, PLATFORM_CLI_SOURCE (the package source Platform.Cli is published to) and
            # PLATFORM_TOKEN (masked), and a job that pushes {{Repository}}:<commit sha>.
            .platform:
              image: mcr.microsoft.com/dotnet/sdk:10.0
              before_script:
                - dotnet tool install --global Platform.Cli --add-source "$PLATFORM_CLI_SOURCE"
                - export PATH="$PATH:$HOME/.dotnet/tools"

            platform-check:
              extends: .platform
              rules:
                - if: $CI_PIPELINE_SOURCE == "merge_request_event"
              script:
                - platform validate {{SpecPath}}
                - platform plan {{SpecPath}} --json > plan.json
              artifacts:
                paths: [plan.json]

            platform-deploy:
              extends: .platform
              rules:
                - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
              resource_group: platform-{{Environment}}
              script:
                - platform deploy {{Environment}} {{Service.Name}} {{Repository}}:$CI_COMMIT_SHA

            """;
    }
}
