using System.Text.Json.Nodes;

namespace Platform.Cli.Tests;

public sealed class PlanCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_plan_groups_resources_by_component_with_type_and_logical_name()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["plan", "env.yaml"]);

        Assert.Equal(0, result.ExitCode);
        var text = result.Stdout.ReplaceLineEndings("\n");
        Assert.StartsWith("Environment shop-dev: dev tier, target default, Pulumi project platform-shop-dev\n", text, StringComparison.Ordinal);
        var web = text.IndexOf("\nweb (platform:kubernetes:WebService): ", StringComparison.Ordinal);
        var mailer = text.IndexOf("\nmailer (", StringComparison.Ordinal);
        Assert.True(web > 0 && mailer > web, text);
        Assert.Matches(@"\+ kubernetes:apps/v1:Deployment +web-deployment", text[web..mailer]);
        Assert.Matches(@"\+ kubernetes:apps/v1:Deployment +mailer-deployment", text[mailer..]);
        Assert.Matches(@"\+ pulumi:providers:kubernetes +k8s-provider", text);
    }

    [Fact]
    public async Task The_plan_never_shows_a_secret_value()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var text = await _cli.RunAsync(["plan", "env.yaml"]);
        var json = await _cli.RunAsync(["plan", "env.yaml", "--json"]);

        Assert.DoesNotContain("correct-horse-battery-staple", text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("correct-horse-battery-staple", json.Stdout, StringComparison.Ordinal);
        Assert.Contains("secret config", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_plan_parses_and_holds_the_summary_and_every_resource()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var result = await _cli.RunAsync(["plan", "env.yaml", "--json"]);

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        var resources = document["plan"]!["resources"]!.AsArray();
        Assert.Equal((int)document["summary"]!["resources"]!, resources.Count);
        Assert.Equal("shop-dev", (string?)document["plan"]!["environment"]);
        Assert.Contains(resources, r => (string?)r!["name"] == "web-deployment" && (string?)r["type"] == "kubernetes:apps/v1:Deployment" && (string?)r["component"] == "web");
        Assert.Contains(document["summary"]!["components"]!.AsArray(), c => (string?)c!["name"] == "mailer");
        Assert.Equal("[secret]", (string?)document["plan"]!["stackConfig"]!.AsObject().Single(e => e.Key.Contains("Session", StringComparison.OrdinalIgnoreCase)).Value);
    }

    [Fact]
    public async Task The_same_spec_plans_to_the_same_json()
    {
        _cli.Write("env.yaml", CliHarness.KubernetesSpec);

        var first = await _cli.RunAsync(["plan", "env.yaml", "--json"]);
        var second = await _cli.RunAsync(["plan", "env.yaml", "--json"]);

        Assert.Equal(first.Stdout, second.Stdout);
    }

    [Fact]
    public async Task An_invalid_spec_is_not_planned()
    {
        _cli.Write("env.yaml", CliHarness.InvalidSpec);

        var result = await _cli.RunAsync(["plan", "env.yaml", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("spec.services[0].image", result.Stderr, StringComparison.Ordinal);
    }
}
