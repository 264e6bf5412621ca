using System.Text.Json.Nodes;

namespace Platform.Cli.Tests;

/// <summary>The README's example spec (examples/checkout-staging.yaml) through every command.</summary>
public sealed class ExampleSpecTests : IDisposable
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml");

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_example_is_valid()
    {
        var result = await _cli.RunAsync(["validate", Example]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("valid", result.Stdout.Trim());
    }

    [Fact]
    public async Task The_example_plan_shows_services_resources_guardrails_and_the_estimated_cost()
    {
        var result = await _cli.RunAsync(["plan", Example]);

        Assert.Equal(0, result.ExitCode);
        var text = result.Stdout;
        Assert.Contains("\napi (platform:kubernetes:WebService): ", text, StringComparison.Ordinal);
        Assert.Contains("\norders-db (platform:aws:PostgresDatabase): ", text, StringComparison.Ordinal);
        Assert.Matches(@"\+ aws:rds/instance:Instance +orders-db-instance", text);
        Assert.Contains("Guardrails: ", text, StringComparison.Ordinal);
        Assert.Contains("Estimated monthly cost", text, StringComparison.Ordinal);
        Assert.Matches(@"Environment total +[0-9,]+\.\d\d USD", text);
        Assert.Matches(@"api \(platform:kubernetes:WebService\): \d+ resources, est\. [0-9,]+\.\d\d USD/month", text);
    }

    [Fact]
    public async Task The_example_json_plan_carries_summary_policy_cost_and_plan_that_agree()
    {
        var result = await _cli.RunAsync(["plan", Example, "--json"]);

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        var summary = document["summary"]!;
        var cost = document["cost"]!;
        Assert.Equal((decimal)cost["monthlyTotal"]!, (decimal)summary["estimatedMonthlyCost"]!);
        Assert.Equal("USD", (string?)summary["currency"]);
        Assert.False((bool)document["policy"]!["blocked"]!);
        Assert.Equal((int)summary["resources"]!, document["plan"]!["resources"]!.AsArray().Count);
        var db = summary["components"]!.AsArray().Single(c => (string?)c!["name"] == "orders-db")!;
        Assert.True((decimal)db["estimatedMonthlyCost"]! > 0);
    }

    [Fact]
    public async Task The_example_renders_a_program_with_aws_and_kubernetes_resources()
    {
        var result = await _cli.RunAsync(["render", Example, "--out", "out"]);

        Assert.Equal(0, result.ExitCode);
        var program = _cli.Read("out/Pulumi.yaml");
        Assert.Contains("type: aws:rds/instance:Instance", program, StringComparison.Ordinal);
        Assert.Contains("fn::secret: ${orders-db-password.result}", program, StringComparison.Ordinal);
        Assert.Contains("provider: ${aws-provider}", program, StringComparison.Ordinal);
        // Printed so they work as printed: the placeholder quoted for the shell, the value a JSON string for Pulumi YAML,
        // and a list as joined text (no `--path`).
        Assert.Contains("pulumi config set --stack checkout-staging vpcId '\"<value>\"'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("pulumi config set --stack checkout-staging privateSubnetIds '\"<item>,<item>\"'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(Platform.Components.Rendering.RenderedProgram.ValueNote, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--path", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("type: array", program, StringComparison.Ordinal);
        Assert.DoesNotContain("description: VPC", program, StringComparison.Ordinal);
    }
}
