namespace Platform.Cli.Tests;

/// <summary>Runs the CLI in-process in a scratch directory with captured streams and a fake environment.</summary>
internal sealed class CliHarness : IDisposable
{
    /// <summary>A valid spec with only Kubernetes services, so it compiles without cloud resources.</summary>
    public const string KubernetesSpec = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-dev, team: web, costCenter: cc-42 }
        spec:
          tier: dev
          services:
            - name: web
              type: web
              image: registry.example.com/web/shop:2.1.0
              host: shop
              env:
                LOG_LEVEL: info
                SESSION_KEY: { secret: correct-horse-battery-staple }
            - name: mailer
              type: worker
              image: registry.example.com/web/mailer:1.0.3
        """;

    /// <summary>A spec with two semantic errors.</summary>
    public const string InvalidSpec = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: shop-dev, team: web, costCenter: cc-42 }
        spec:
          tier: dev
          services:
            - name: web
              type: web
              image: registry.example.com/web/shop:latest
              uses: [nowhere]
        """;

    public CliHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("platform-cli-tests-");
    }

    public DirectoryInfo Directory { get; }

    public Dictionary<string, string> Environment { get; } = [];

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Directory.FullName, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Directory.FullName, relativePath));

    public async Task<CliResult> RunAsync(string[] args, string stdin = "")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, new StringReader(stdin), Directory.FullName,
            name => Environment.TryGetValue(name, out var value) ? value : null);
        var code = await PlatformCli.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => Directory.Delete(true);
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
