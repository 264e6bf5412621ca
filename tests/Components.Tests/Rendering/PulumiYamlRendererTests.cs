using System.Text.Json.Nodes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Tests.Rendering;

public sealed class PulumiYamlRendererTests
{
    private static ResourcePlan Checkout(DeploymentTarget? target = null) =>
        PlanCompiler.Compile(TestSpecs.CheckoutStaging(), target ?? DeploymentTarget.Default);

    /// <summary>A small plan exercising every kind of value and option.</summary>
    private static ResourcePlan Handmade(Action<PlanBuilder>? extra = null)
    {
        var builder = new PlanBuilder();
        builder.AddComponent("env", PlanComponent.EnvironmentType);
        builder.AddComponent("api", "platform:kubernetes:WebService");
        builder.AddConfig(new PlanConfigEntry("region", "string", false, "AWS region.", "eu-west-1"), new StackConfigValue("eu-central-1", false));
        builder.AddConfig(new PlanConfigEntry("apiToken", "string", true, "The API token.", null), new StackConfigValue("hunter2-plaintext", true));
        builder.Add("aws-provider", "pulumi:providers:aws", PlanValue.Map.Empty.With("region", PlanValue.Config("region")), null,
            PlanResourceOptions.None with { Version = "7.48.0" });
        builder.Add("queue", "aws:sqs/queue:Queue", PlanValue.Map.Empty.With("fifoQueue", false).With("delaySeconds", 0), "api",
            PlanResourceOptions.WithProvider("aws-provider") with { Protect = true, DeleteBeforeReplace = true });
        builder.Add("role", "aws:iam/role:Role", PlanValue.Map.Empty
                .With("assumeRolePolicy", PlanValue.ToJson(PlanValue.From(new Dictionary<string, object> { ["Version"] = "2012-10-17", ["Resource"] = PlanValue.Ref("queue", "arn") })))
                .With("description", PlanValue.Concat("Role for ", PlanValue.Ref("queue", "name"), " costs $5 ${literally}")),
            "api", PlanResourceOptions.WithProvider("aws-provider") with { DependsOn = ["queue"], AdditionalSecretOutputs = ["arn"], IgnoreChanges = ["description", "tags[\"team\"]"] });
        builder.Add("secret", "kubernetes:core/v1:Secret", PlanValue.Map.Empty
                .With("stringData", PlanValue.Map.Empty.With("TOKEN", PlanValue.SecretOf(PlanValue.Config("apiToken"))))
                .With("metadata", PlanValue.Map.Empty.With("annotations", PlanValue.Concat("host=", PlanValue.Ref("lb", "status.loadBalancer.ingress[0].hostname"), ";token=", PlanValue.SecretOf(PlanValue.Config("apiToken")))))
                .With("type", "Opaque"),
            "api", PlanResourceOptions.None with { DependsOn = ["queue", "role"] });
        builder.Add("lb", "kubernetes:core/v1:Service", PlanValue.Map.Empty, "api");
        extra?.Invoke(builder);
        builder.AddOutput("queueUrl", PlanValue.Ref("queue", "url"), "api");
        builder.AddOutput("token", PlanValue.SecretOf(PlanValue.Config("apiToken")), "api");
        return builder.Build("checkout-staging", Tier.Staging, "default");
    }

    [Fact]
    public void Program_names_the_project_after_the_environment_and_runs_yaml()
    {
        var rendered = PulumiYamlRenderer.Render(Checkout());
        var root = PulumiYaml.Load(rendered.Program);

        Assert.Equal("platform-checkout-staging", root.Scalar("name"));
        Assert.Equal("platform-checkout-staging", rendered.ProjectName);
        Assert.Equal("checkout-staging", rendered.StackName);
        Assert.Equal("Pulumi.checkout-staging.yaml", rendered.StackSettingsFileName);
        Assert.Equal("yaml", root.Scalar("runtime"));
        Assert.Contains("checkout-staging", root.Scalar("description"), StringComparison.Ordinal);
        Assert.StartsWith("name: platform-checkout-staging\nruntime: yaml\n", rendered.Program, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_plan_resource_is_written_in_plan_order_with_its_type_and_no_components()
    {
        var plan = Checkout();
        var root = PulumiYaml.Load(PulumiYamlRenderer.Render(plan).Program);
        var resources = Assert.IsType<YamlMappingNode>(root.At("resources"));

        Assert.Equal(plan.Resources.Select(r => r.Name), resources.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.All(plan.Resources, r => Assert.Equal(r.Type, resources.Scalar(r.Name, "type")));
        Assert.DoesNotContain("platform:", PulumiYamlRenderer.Render(plan).Program, StringComparison.Ordinal);
    }

    [Fact]
    public void Resources_use_their_explicit_provider_and_providers_pin_their_version_as_a_string()
    {
        var plan = Checkout();
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(plan).Program);
        var resources = json["resources"]!.AsObject();

        foreach (var resource in plan.Resources)
        {
            var options = resources[resource.Name]!["options"];
            if (resource.Options.Provider is { } provider)
            {
                Assert.Equal($"${{{provider}}}", (string?)options!["provider"]);
            }

            if (resource.Options.Version is { } version)
            {
                Assert.Equal(version, options!["version"]!.GetValue<string>());
            }
        }

        Assert.Equal("4.34.2", resources[LogicalNames.KubernetesProvider]!["options"]!["version"]!.GetValue<string>());
        Assert.Equal("pulumi:providers:kubernetes", (string?)resources[LogicalNames.KubernetesProvider]!["type"]);
    }

    [Fact]
    public void References_config_secrets_and_json_become_pulumi_expressions()
    {
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(Handmade()).Program);
        var resources = json["resources"]!;

        Assert.Equal("${region}", (string?)resources["aws-provider"]!["properties"]!["region"]);
        var policy = resources["role"]!["properties"]!["assumeRolePolicy"]!["fn::toJSON"]!;
        Assert.Equal("2012-10-17", (string?)policy["Version"]);
        Assert.Equal("${queue.arn}", (string?)policy["Resource"]);
        Assert.Equal("${apiToken}", (string?)resources["secret"]!["properties"]!["stringData"]!["TOKEN"]!["fn::secret"]);
        Assert.Equal("${queue.url}", (string?)json["outputs"]!["queueUrl"]);
        Assert.Equal("${apiToken}", (string?)json["outputs"]!["token"]!["fn::secret"]);
    }

    [Fact]
    public void Literal_numbers_and_booleans_keep_their_types()
    {
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(Handmade()).Program);
        var properties = json["resources"]!["queue"]!["properties"]!;

        Assert.False(properties["fifoQueue"]!.GetValue<bool>());
        Assert.Equal(0, properties["delaySeconds"]!.GetValue<long>());
        Assert.Equal("Opaque", (string?)json["resources"]!["secret"]!["properties"]!["type"]);
    }

    [Fact]
    public void An_interpolation_is_one_string_with_its_literal_dollar_braces_escaped()
    {
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(Handmade()).Program);
        var description = (string)json["resources"]!["role"]!["properties"]!["description"]!;

        Assert.Equal("Role for ${queue.name} costs $5 $${literally}", description);
        Assert.Equal(
            [new("Role for ", null), new(null, "queue.name"), new(" costs $5 ${literally}", null)],
            PulumiYaml.Interpolation(description));
    }

    [Fact]
    public void An_interpolation_with_a_secret_part_becomes_fn_join_with_an_empty_delimiter()
    {
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(Handmade()).Program);
        var join = json["resources"]!["secret"]!["properties"]!["metadata"]!["annotations"]!["fn::join"]!.AsArray();

        Assert.Equal(2, join.Count);
        Assert.Equal("", (string?)join[0]);
        var parts = join[1]!.AsArray();
        Assert.Equal("host=", (string?)parts[0]);
        Assert.Equal("${lb.status.loadBalancer.ingress[0].hostname}", (string?)parts[1]);
        Assert.Equal(";token=", (string?)parts[2]);
        Assert.Equal("${apiToken}", (string?)parts[3]!["fn::secret"]);
    }

    [Fact]
    public void Options_hold_depends_on_as_a_quoted_flow_list_and_every_other_option()
    {
        var rendered = PulumiYamlRenderer.Render(Handmade());
        var json = PulumiYaml.Json(rendered.Program);
        var resources = json["resources"]!;

        Assert.Contains("dependsOn: [\"${queue}\", \"${role}\"]", rendered.Program, StringComparison.Ordinal);
        Assert.Equal(["${queue}", "${role}"], resources["secret"]!["options"]!["dependsOn"]!.AsArray().Select(n => (string?)n));
        Assert.True(resources["queue"]!["options"]!["protect"]!.GetValue<bool>());
        Assert.True(resources["queue"]!["options"]!["deleteBeforeReplace"]!.GetValue<bool>());
        Assert.Equal(["arn"], resources["role"]!["options"]!["additionalSecretOutputs"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["description", "tags[\"team\"]"], resources["role"]!["options"]!["ignoreChanges"]!.AsArray().Select(n => (string?)n));
        Assert.Null(resources["queue"]!["options"]!["ignoreChanges"]);
        Assert.Null(resources["lb"]!["options"]);
        Assert.Null(resources["lb"]!["properties"]);
    }

    [Fact]
    public void Config_is_declared_with_project_config_types_and_secret_entries_have_no_default()
    {
        var json = PulumiYaml.Json(PulumiYamlRenderer.Render(Handmade(b => b.AddConfig(
            new PlanConfigEntry("subnets", "List<String>", false, "Subnets.", null), new StackConfigValue("[\"subnet-1\",\"subnet-2\"]", false)))).Program);
        var config = json["config"]!;

        Assert.Equal("string", (string?)config["region"]!["type"]);
        Assert.Equal("eu-west-1", (string?)config["region"]!["default"]);
        Assert.Null(config["region"]!["secret"]);
        Assert.True(config["apiToken"]!["secret"]!.GetValue<bool>());
        Assert.Null(config["apiToken"]!["default"]);
        // No list type is accepted by both Pulumi YAML and the CLI: a list is declared string and split when read.
        Assert.Equal("string", (string?)config["subnets"]!["type"]);
        Assert.Null(config["subnets"]!["items"]);
        Assert.All(config.AsObject(), entry => Assert.Null(entry.Value!["description"]));
    }

    [Fact]
    public void Stack_settings_hold_plain_values_under_the_project_namespace_and_never_secret_values()
    {
        var rendered = PulumiYamlRenderer.Render(Handmade(b => b.AddConfig(
            new PlanConfigEntry("subnets", "List<String>", false, "Subnets.", null), new StackConfigValue("[\"subnet-1\",\"0755\"]", false))));
        var settings = PulumiYaml.Json(rendered.StackSettings!);

        Assert.Equal("eu-central-1", (string?)settings["config"]!["platform-checkout-staging:region"]);
        Assert.Equal("subnet-1,0755", (string?)settings["config"]!["platform-checkout-staging:subnets"]);
        Assert.Null(settings["config"]!["platform-checkout-staging:apiToken"]);
        Assert.DoesNotContain("hunter2-plaintext", rendered.StackSettings, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-plaintext", rendered.Program, StringComparison.Ordinal);
        Assert.Equal(["apiToken"], rendered.SecretConfigKeys);
        Assert.Equal(["pulumi config set --secret --stack checkout-staging apiToken"], rendered.SecretConfigCommands);
    }

    [Fact]
    public void A_plan_without_plain_stack_values_has_no_stack_settings()
    {
        var rendered = PulumiYamlRenderer.Render(Checkout());

        Assert.Null(rendered.StackSettings);
    }

    [Fact]
    public void Target_facts_become_stack_settings()
    {
        var target = DeploymentTarget.Default with
        {
            KubeContext = "true",
            Kubeconfig = "0755",
            AwsRegion = "eu-west-1",
            AwsAccountId = "012345678901",
            PrivateSubnetIds = ["subnet-1", "subnet-2"],
        };
        var rendered = PulumiYamlRenderer.Render(Checkout(target));
        var config = PulumiYaml.Json(rendered.StackSettings!)["config"]!;

        // Values Pulumi YAML would re-type are JSON strings, which it decodes back to the same text.
        Assert.Equal("\"true\"", config["platform-checkout-staging:kubernetesContext"]!.GetValue<string>());
        Assert.Equal("\"0755\"", config["platform-checkout-staging:kubeconfig"]!.GetValue<string>());
        Assert.Equal("\"012345678901\"", config["platform-checkout-staging:awsAccountId"]!.GetValue<string>());
        Assert.Equal("eu-west-1", config["platform-checkout-staging:awsRegion"]!.GetValue<string>());
        Assert.Equal("subnet-1,subnet-2", config["platform-checkout-staging:privateSubnetIds"]!.GetValue<string>());
        Assert.DoesNotContain("privateSubnetIds", rendered.UnsetConfigKeys);
        Assert.Contains("vpcId", rendered.UnsetConfigKeys);
    }

    [Fact]
    public void Config_without_a_default_or_a_target_value_is_reported_unset()
    {
        var plan = Checkout();
        var rendered = PulumiYamlRenderer.Render(plan);

        Assert.Equal(
            plan.Config.Where(c => !c.Secret && c.Default is null && !plan.StackConfig.ContainsKey(c.Key)).Select(c => c.Key),
            rendered.UnsetConfigKeys);
        Assert.Contains("vpcId", rendered.UnsetConfigKeys);
        Assert.DoesNotContain("region", PulumiYamlRenderer.Render(Handmade()).UnsetConfigKeys);
    }

    [Fact]
    public void Secret_env_values_of_a_spec_appear_in_neither_file()
    {
        var spec = TestSpecs.CheckoutStaging();
        spec = spec with
        {
            Services = [.. spec.Services.Select(s => s with { Env = s.Env.Add("DB_PASSWORD", EnvValue.Secret("correct-horse-battery-staple")) })],
        };
        var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default with { KubeContext = "ctx" });
        var rendered = PulumiYamlRenderer.Render(plan);

        Assert.DoesNotContain("correct-horse-battery-staple", rendered.Program, StringComparison.Ordinal);
        Assert.DoesNotContain("correct-horse-battery-staple", rendered.StackSettings ?? "", StringComparison.Ordinal);
        Assert.NotEmpty(rendered.SecretConfigKeys);
        Assert.All(rendered.SecretConfigKeys, key => Assert.True(plan.StackConfig[key].Secret));
    }

    [Fact]
    public void The_same_plan_renders_to_the_same_bytes_with_lf_line_endings_and_a_final_newline()
    {
        var first = PulumiYamlRenderer.Render(Checkout());
        var second = PulumiYamlRenderer.Render(Checkout());

        Assert.Equal(first.Program, second.Program);
        Assert.Equal(first, second);
        Assert.DoesNotContain('\r', first.Program);
        Assert.EndsWith("\n", first.Program, StringComparison.Ordinal);
        Assert.False(first.Program.EndsWith("\n\n", StringComparison.Ordinal));
        Assert.DoesNotContain("...", first.Program, StringComparison.Ordinal);
        Assert.False(first.Program.StartsWith("---", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_spec_text_renders_to_the_same_bytes()
    {
        string Render() => PulumiYamlRenderer.Render(PlanCompiler.Compile(SpecParser.Parse(TestSpecs.CheckoutStagingYaml).Spec!, DeploymentTarget.Default)).Program;

        Assert.Equal(Render(), Render());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("yes")]
    [InlineData("off")]
    [InlineData("y")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("8080")]
    [InlineData("0755")]
    [InlineData("0x1F")]
    [InlineData("0o17")]
    [InlineData("1_000")]
    [InlineData("1e3")]
    [InlineData("-2.5")]
    [InlineData(".inf")]
    [InlineData("-.INF")]
    [InlineData(".NaN")]
    [InlineData("2001-12-14")]
    [InlineData("12:30:00")]
    [InlineData("1.4.2")]
    [InlineData("<<")]
    [InlineData(" leading space")]
    [InlineData("trailing space ")]
    [InlineData("a: b")]
    [InlineData("# not a comment")]
    [InlineData("- not a list")]
    [InlineData("[not, a, list]")]
    [InlineData("{not: a map}")]
    [InlineData("@at")]
    [InlineData("`tick")]
    [InlineData("'single'")]
    [InlineData("\"double\"")]
    [InlineData("multi\nline\n")]
    [InlineData("tab\tand\u0001control")]
    [InlineData("ünïcødé ✓")]
    [InlineData("*anchor")]
    [InlineData("a *b")]
    [InlineData("0 3 * * *")]
    [InlineData("_+@<$aOe{ *{")]
    [InlineData("!tag")]
    [InlineData("%directive")]
    [InlineData("|")]
    [InlineData(">")]
    [InlineData("?")]
    [InlineData("250m")]
    [InlineData("512Mi")]
    [InlineData("$${x}")]
    [InlineData("${x}")]
    [InlineData("$")]
    [InlineData("$$")]
    public void Tricky_strings_read_back_as_the_same_string(string text)
    {
        var plan = Handmade(b => b.Add("tricky", "kubernetes:core/v1:ConfigMap",
            PlanValue.Map.Empty.With("data", PlanValue.Map.Empty.With("", text, leafKey: text)), "api"));
        var rendered = PulumiYamlRenderer.Render(plan).Program;
        var data = PulumiYaml.Json(rendered)["resources"]!["tricky"]!["properties"]!["data"]!.AsObject();

        var (key, value) = Assert.Single(data);
        var node = Assert.IsAssignableFrom<JsonValue>(value);
        Assert.True(node.TryGetValue(out string? written), $"'{text}' was read back as {node.GetValueKind()}.");
        Assert.Equal(text, PulumiYaml.Literal(written!));
        Assert.Equal(text, PulumiYaml.Literal(key));
    }

    [Fact]
    public void Numbers_render_in_invariant_form()
    {
        var plan = Handmade(b => b.Add("numbers", "kubernetes:core/v1:ConfigMap",
            PlanValue.Map.Empty.With("a", new PlanValue.Number(1.5m)).With("b", new PlanValue.Number(-42)).With("c", PlanValue.Null), "api"));
        var properties = PulumiYaml.Json(PulumiYamlRenderer.Render(plan).Program)["resources"]!["numbers"]!["properties"]!;

        Assert.Equal(1.5m, properties["a"]!.GetValue<decimal>());
        Assert.Equal(-42, properties["b"]!.GetValue<long>());
        Assert.Null(properties["c"]);
        Assert.True(properties.AsObject().ContainsKey("c"));
    }

    [Fact]
    public void A_list_inside_an_interpolation_is_refused()
    {
        var plan = Handmade(b => b.Add("bad", "kubernetes:core/v1:ConfigMap",
            PlanValue.Map.Empty.With("a", PlanValue.Concat("x", new PlanValue.List(["y"]))), "api"));

        Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.Render(plan));
    }

    [Fact]
    public void A_secret_with_a_literal_value_is_refused_rather_than_written_in_plain_text()
    {
        var plan = Handmade(b => b.Add("leaky", "kubernetes:core/v1:Secret",
            PlanValue.Map.Empty.With("stringData", PlanValue.Map.Empty.With("PASSWORD", PlanValue.SecretOf("hunter2"))), "api"));

        var error = Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.Render(plan));
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_project_name_is_stable_and_prefixed()
    {
        Assert.Equal("platform-orders-dev", PulumiYamlRenderer.ProjectName("orders-dev"));
        Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.ProjectName(" "));
    }

    [Fact]
    public void Rendering_a_null_plan_throws()
    {
        Assert.Throws<ArgumentNullException>(() => PulumiYamlRenderer.Render(null!));
    }
}
