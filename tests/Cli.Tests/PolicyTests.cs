using System.Text.Json.Nodes;

namespace Platform.Cli.Tests;

public sealed class PolicyTests : IDisposable
{
    // A dev environment with a bucket: bucket versioning (an advisory rule) is off in dev by default.
    private const string DevWithBucket = """
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: files-dev, team: web, costCenter: cc-42 }
        spec:
          tier: dev
          services:
            - name: web
              type: web
              image: registry.example.com/web/files:1.0.0
              uses: [uploads]
          resources:
            - { name: uploads, type: bucket }
        """;

    private const string AllRulesOn = "disabledAdvisoryRules:\n  dev: []\n";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task With_default_settings_the_dev_bucket_raises_no_warning()
    {
        _cli.Write("env.yaml", DevWithBucket);

        var result = await _cli.RunAsync(["validate", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task An_advisory_violation_warns_on_stderr_and_still_validates()
    {
        _cli.Write("env.yaml", DevWithBucket);
        _cli.Write("policies.yaml", AllRulesOn);

        var result = await _cli.RunAsync(["validate", "env.yaml", "--policies", "policies.yaml"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("valid", result.Stdout.Trim());
        Assert.Contains("[advisory] PLT009-bucket-versioning uploads-bucket: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_settings_are_found_through_the_environment_variable_and_the_working_directory()
    {
        _cli.Write("env.yaml", DevWithBucket);
        _cli.Environment["PLATFORM_POLICIES"] = _cli.Write("conf/p.yaml", AllRulesOn);

        var fromVariable = await _cli.RunAsync(["plan", "env.yaml", "--json"]);
        _cli.Environment.Clear();
        _cli.Write("platform.policies.yaml", AllRulesOn);
        var fromDirectory = await _cli.RunAsync(["plan", "env.yaml", "--json"]);

        foreach (var result in new[] { fromVariable, fromDirectory })
        {
            Assert.Equal(0, result.ExitCode);
            var violations = JsonNode.Parse(result.Stdout)!["policy"]!["violations"]!.AsArray();
            Assert.Contains(violations, v => (string?)v!["rule"] == "PLT009-bucket-versioning" && (string?)v["severity"] == "advisory");
        }
    }

    [Fact]
    public async Task The_plan_lists_advisory_violations_under_guardrails()
    {
        _cli.Write("env.yaml", DevWithBucket);
        _cli.Write("platform.policies.yaml", AllRulesOn);

        var result = await _cli.RunAsync(["plan", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Guardrails: 0 mandatory, 1 advisory violation(s):", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  [advisory] PLT009-bucket-versioning uploads-bucket: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_off_a_mandatory_rule_is_a_usage_error()
    {
        _cli.Write("env.yaml", DevWithBucket);
        _cli.Write("policies.yaml", "disabledAdvisoryRules:\n  dev: [PLT001-no-public-bucket]\n");

        var result = await _cli.RunAsync(["validate", "env.yaml", "--policies", "policies.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: Policy settings file policies.yaml is invalid: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_policy_file_that_is_missing_is_a_usage_error()
    {
        _cli.Write("env.yaml", DevWithBucket);

        var result = await _cli.RunAsync(["validate", "env.yaml", "--policies", "nope.yaml"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--policies", result.Stderr, StringComparison.Ordinal);
    }
}
