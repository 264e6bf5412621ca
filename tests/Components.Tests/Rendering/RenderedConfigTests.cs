using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Testing;

namespace Platform.Components.Tests.Rendering;

/// <summary>
/// Rendered programs run through <see cref="PulumiYamlConfigRules"/>, the emulator of what the real CLI and Pulumi YAML
/// do with config: every declaration is accepted by both, and every value reaches the resource inputs as exactly the
/// text the target or the spec holds.
/// </summary>
public sealed class RenderedConfigTests
{
    /// <summary>Values Pulumi YAML would re-type or mangle if they were handed over as they are.</summary>
    public static TheoryData<string> AwkwardValues =>
    [
        "0042", "1e3", "true", "null", "[1]", "{\"a\":1}", "123456789012", "012345678901", "12345", "1048576", "-0", "0.5",
        "Infinity", "NaN", "T", "1", " 42", "\"quoted\"", "yes", "ünïcødé ✓ 日本", "line one\nline two\n", "tab\there", "$${x}", "${x}",
        "a,b", "# not a comment", "- not a list", "key: value", "",
    ];

    private static DeploymentTarget FullTarget(string awkward) => DeploymentTarget.Default with
    {
        KubeContext = awkward.Length == 0 ? "ctx" : awkward,
        Kubeconfig = "0755",
        AwsRegion = "eu-west-1",
        AwsProfile = awkward.Length == 0 ? "profile" : awkward,
        AwsAccountId = "123456789012",
        VpcId = "vpc-0abc",
        VpcCidr = "10.0.0.0/16",
        PrivateSubnetIds = ["subnet-0123", "subnet-4567"],
        ClusterSecurityGroupId = "sg-0123",
        OidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        OidcProviderUrl = "oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    };

    private static ResourcePlan Plan(string awkward)
    {
        var spec = TestSpecs.CheckoutStaging();
        spec = spec with
        {
            Services = [.. spec.Services.Select(s => s.Name == "api" ? s with { Env = s.Env.Add("ODD_SECRET", EnvValue.Secret(awkward)) } : s)],
        };
        return PlanCompiler.Compile(spec, FullTarget(awkward));
    }

    /// <summary>What the Automation API hands the CLI for each secret key (and the CLI user is told to type).</summary>
    private static Dictionary<string, string> SecretValues(ResourcePlan plan) =>
        plan.StackConfig.Where(e => e.Value.Secret).ToDictionary(e => e.Key, e => PulumiYamlConfig.StackValue(e.Value.Value));

    private static (JsonObject Resources, IReadOnlyDictionary<string, PulumiYamlConfigRules.ConfigValue> Config, IReadOnlyList<string> Warnings) Run(ResourcePlan plan)
    {
        var rendered = PulumiYamlRenderer.Render(plan);
        var (config, warnings) = PulumiYamlConfigRules.Load(rendered.Program, rendered.StackSettings, SecretValues(plan), rendered.StackName);
        return (PulumiYaml.Json(rendered.Program)["resources"]!.AsObject(), config, warnings);
    }

    private static JsonNode? Input(JsonObject resources, IReadOnlyDictionary<string, PulumiYamlConfigRules.ConfigValue> config, string resource, string property) =>
        PulumiYamlConfigRules.Evaluate(resources[resource]!["properties"]![property], config);

    private static IEnumerable<(string Name, JsonObject Resource)> OfType(JsonObject resources, string type) =>
        resources.Where(r => (string?)r.Value!["type"] == type).Select(r => (r.Key, r.Value!.AsObject()));

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void Every_config_value_reaches_the_resource_inputs_as_the_exact_text_written(string awkward)
    {
        var plan = Plan(awkward);
        var (resources, config, warnings) = Run(plan);

        Assert.Empty(warnings);

        // A secret env value of the spec, in the Kubernetes Secret's stringData.
        var secret = OfType(resources, "kubernetes:core/v1:Secret").Single(r => r.Resource["properties"]!["stringData"]!.AsObject().ContainsKey("ODD_SECRET"));
        var stringData = Input(resources, config, secret.Name, "stringData")!;
        AssertText(awkward, stringData["ODD_SECRET"]);
        Assert.True(config[plan.StackConfig.Single(e => e.Value.Secret && e.Value.Value == awkward).Key].Secret);

        // Target facts: the Kubernetes context, the AWS profile and the allowed account.
        var kubernetesContext = Input(resources, config, LogicalNames.KubernetesProvider, "context");
        AssertText(awkward.Length == 0 ? "ctx" : awkward, kubernetesContext);
        AssertText("0755", Input(resources, config, LogicalNames.KubernetesProvider, "kubeconfig"));
        AssertText(awkward.Length == 0 ? "profile" : awkward, Input(resources, config, LogicalNames.AwsProvider, "profile"));
        var accounts = Assert.IsType<JsonArray>(Input(resources, config, LogicalNames.AwsProvider, "allowedAccountIds"));
        AssertText("123456789012", Assert.Single(accounts));
    }

    [Fact]
    public void The_account_id_in_an_interpolated_arn_is_the_twelve_digits_not_a_float()
    {
        var plan = Plan("x");
        var (resources, config, _) = Run(plan);

        var policies = OfType(resources, "aws:iam/rolePolicy:RolePolicy")
            .Select(p => Input(resources, config, p.Name, "policy")!.GetValue<string>())
            .Where(p => p.Contains("rds-db", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(policies);
        Assert.All(policies, p =>
        {
            Assert.Contains("arn:aws:rds-db:eu-west-1:123456789012:dbuser:", p, StringComparison.Ordinal);
            Assert.DoesNotContain("e+11", p, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_list_reaches_the_subnet_group_as_a_list_of_the_targets_subnets()
    {
        var plan = Plan("x");
        var (resources, config, _) = Run(plan);

        var group = OfType(resources, "aws:rds/subnetGroup:SubnetGroup").Single();
        var subnets = Assert.IsType<JsonArray>(Input(resources, config, group.Name, "subnetIds"));

        Assert.Equal(["subnet-0123", "subnet-4567"], subnets.Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public void Every_declaration_has_a_type_both_engines_accept_and_no_description()
    {
        var program = PulumiYaml.Json(PulumiYamlRenderer.Render(Plan("x")).Program);

        Assert.All(program["config"]!.AsObject(), entry =>
        {
            var type = (string)entry.Value!["type"]!;
            Assert.True(PulumiYamlConfigRules.PulumiYamlAcceptsType(type) && PulumiYamlConfigRules.ProjectSchemaAcceptsType(type), $"{entry.Key}: {type}");
            Assert.All(entry.Value.AsObject(), field => Assert.Contains(field.Key, PulumiYamlConfigRules.PulumiYamlDeclarationFields));
        });
    }

    [Fact]
    public void Descriptions_are_comments_above_their_config_keys()
    {
        var program = PulumiYamlRenderer.Render(Plan("x")).Program;

        Assert.Contains("  # VPC of the target cluster; databases are created in it.\n  vpcId:\n", program, StringComparison.Ordinal);
        Assert.Contains("A list: its items joined by \",\".\n  privateSubnetIds:\n", program, StringComparison.Ordinal);
    }

    /// <summary>The config block the renderer wrote before this fix, for the README's example: both engines refuse it.</summary>
    [Fact]
    public void The_previous_rendering_of_a_list_and_an_account_id_fails_on_the_real_engine()
    {
        const string Previous = """
            name: platform-checkout-staging
            runtime: yaml
            config:
              awsAccountId:
                type: string
                description: The only AWS account this stack may deploy to.
              privateSubnetIds:
                type: array
                items:
                  type: string
                description: Private subnets of the target VPC for database subnet groups.
            resources: {}
            """;
        const string Settings = "config:\n  platform-checkout-staging:awsAccountId: \"123456789012\"\n  platform-checkout-staging:privateSubnetIds:\n    - subnet-1\n";

        var error = Assert.Throws<PulumiYamlConfigRules.Rejected>(() => PulumiYamlConfigRules.Load(Previous, Settings));
        Assert.Contains("unexpected configuration type 'array'", error.Message, StringComparison.Ordinal);

        var withoutList = Previous[..Previous.IndexOf("  privateSubnetIds:", StringComparison.Ordinal)] + "resources: {}\n";
        var (values, warnings) = PulumiYamlConfigRules.Load(withoutList, "config:\n  platform-checkout-staging:awsAccountId: \"123456789012\"\n");
        Assert.NotEmpty(warnings);
        Assert.Equal("1.23456789012e+11", PulumiYamlConfigRules.Interpolated(values["awsAccountId"].Value));
    }

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void A_stack_value_reads_back_as_the_same_text(string value)
    {
        Assert.True(PulumiYamlConfigRules.ReadsBackAs(PulumiYamlConfig.StackValue(value), value, out var retyped), $"'{value}' became {retyped?.ToJsonString()}");
    }

    [Fact]
    public void Values_left_as_they_are_read_back_as_the_same_text()
    {
        foreach (var value in new[] { "vpc-0abc", "eu-west-1", "arn:aws:iam::123456789012:role/x", "subnet-1,subnet-2", "oidc.eks.eu-west-1.amazonaws.com/id/ABC", "Nancy", "tru" })
        {
            Assert.Equal(value, PulumiYamlConfig.StackValue(value));
            Assert.True(PulumiYamlConfigRules.ReadsBackAs(value, value, out _), value);
        }
    }

    [Fact]
    public void The_printed_config_commands_work_as_printed_for_every_key()
    {
        // A target without the network facts: the program declares them, the stack must set them by hand.
        var plan = PlanCompiler.Compile(TestSpecs.CheckoutStaging() with
        {
            Services = [.. TestSpecs.CheckoutStaging().Services.Select(s => s with { Env = s.Env.Add("API_KEY", EnvValue.Secret("0042")) })],
        }, DeploymentTarget.Default with { AwsRegion = "eu-west-1" });
        var rendered = PulumiYamlRenderer.Render(plan);
        Assert.Contains("privateSubnetIds", rendered.UnsetConfigKeys);
        Assert.Contains("vpcId", rendered.UnsetConfigKeys);

        // Run each printed command as a shell would split it, the way `pulumi config set` stores the value; a secret
        // is typed at the prompt as the printed note says (a JSON string).
        var stackValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var secretValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var command in rendered.UnsetConfigCommands.Concat(rendered.SecretConfigCommands))
        {
            var words = ShellWords(command);
            Assert.Equal(["pulumi", "config", "set"], words.Take(3));
            var secret = words.Contains("--secret");
            var rest = words.Skip(3).Where(w => w != "--secret").ToList();
            Assert.Equal("--stack", rest[0]);
            Assert.Equal(rendered.StackName, rest[1]);
            var key = rest[2];
            Assert.DoesNotContain("--path", rest);
            if (secret)
            {
                Assert.Equal(3, rest.Count); // Pulumi prompts for the value
                secretValues[key] = JsonSerializer.Serialize(plan.StackConfig[key].Value);
            }
            else
            {
                Assert.Equal(4, rest.Count);
                stackValues[$"{rendered.ProjectName}:{key}"] = rest[3];
            }
        }

        // What the renderer wrote to the stack file, plus what the commands set.
        var settings = rendered.StackSettings is { } written ? PulumiYaml.Json(written) : new JsonObject { ["config"] = new JsonObject() };
        foreach (var (key, value) in stackValues)
        {
            settings["config"]![key] = value;
        }

        var (config, _) = PulumiYamlConfigRules.Load(rendered.Program, settings.ToJsonString(), secretValues, rendered.StackName);

        AssertText("<value>", config["vpcId"].Value);
        var resources = PulumiYaml.Json(rendered.Program)["resources"]!.AsObject();
        var group = OfType(resources, "aws:rds/subnetGroup:SubnetGroup").Single();
        Assert.Equal(["<item>", "<item>"], Assert.IsType<JsonArray>(Input(resources, config, group.Name, "subnetIds")).Select(s => s!.GetValue<string>()));
        Assert.All(plan.StackConfig.Where(e => e.Value.Secret), e => AssertText("0042", config[e.Key].Value));
        Assert.Contains("JSON string", RenderedProgram.ValueNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_item_holding_the_delimiter_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.Render(PlanCompiler.Compile(TestSpecs.CheckoutStaging(), FullTarget("x") with { PrivateSubnetIds = ["subnet-1,subnet-2"] })));

        Assert.Contains("must not contain ','", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A service whose name and secret variable camel-case to a key another planner declares.</summary>
    [Theory]
    [InlineData("vpc", "ID", "vpcId", "vpc-0abc")]
    [InlineData("private", "SUBNET_IDS", "privateSubnetIds", "subnet-0123,subnet-4567")]
    [InlineData("cluster", "SECURITY_GROUP_ID", "clusterSecurityGroupId", "sg-0123")]
    [InlineData("oidc", "PROVIDER_ARN", "oidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC")]
    [InlineData("oidc", "PROVIDER_URL", "oidcProviderUrl", "oidc.eks.eu-west-1.amazonaws.com/id/ABC")]
    [InlineData("aws", "REGION", "awsRegion", "eu-west-1")]
    [InlineData("kubernetes", "CONTEXT", "kubernetesContext", "x")]
    public void A_secret_env_value_never_takes_a_config_key_another_planner_declares(string service, string variable, string key, string targetValue)
    {
        var spec = TestSpecs.CheckoutStaging();
        spec = spec with
        {
            Services = spec.Services.Add(ServiceSpec.Create(service, ServiceType.Worker, "registry.example.com/payments/x:1.0") with
            {
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add(variable, EnvValue.Secret("env-secret")),
            }),
        };
        var plan = PlanCompiler.Compile(spec, FullTarget("x"));
        var rendered = PulumiYamlRenderer.Render(plan);
        var declared = PulumiYaml.Json(rendered.Program)["config"]!.AsObject();

        // The planner's entry stays plain; the env value's key is the same text with its hash suffix, and secret.
        Assert.Null(declared[key]!["secret"]);
        var envKey = Assert.Single(declared.Select(e => e.Key), k => k != key && k.StartsWith(key, StringComparison.Ordinal));
        Assert.Matches($"^{key}[0-9a-f]{{7}}$", envKey);
        Assert.True((bool)declared[envKey]!["secret"]!);

        // The CLI accepts the stack, and each key holds its own value.
        var (config, _) = PulumiYamlConfigRules.Load(rendered.Program, rendered.StackSettings, SecretValues(plan), rendered.StackName);
        Assert.False(config[key].Secret);
        AssertText(targetValue, config[key].Value);
        Assert.True(config[envKey].Secret);
        AssertText("env-secret", config[envKey].Value);
    }

    [Fact]
    public void Every_config_key_a_planner_declares_is_reserved_from_secret_env_keys()
    {
        // A full target and a spec that uses every planner's config; secret entries are the services' env values.
        var plan = Plan("x");
        var declared = plan.Config.Where(c => !c.Secret).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(declared, PlanCompiler.PlannerConfigKeys.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Defaults reach the program as the CLI hands them over: copied into the stack's config as text, re-typed.</summary>
    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void A_string_default_reaches_the_program_as_the_exact_text(string awkward)
    {
        if (PulumiYamlConfigRules.InterpolationParts(PulumiYamlConfig.StackValue(awkward)).Any(p => p.Access is not null))
        {
            return; // refused: see A_default_holding_an_access_is_refused
        }

        var (config, warnings) = RunDefault(new PlanConfigEntry("mode", "string", false, "", awkward));

        Assert.Empty(warnings);
        AssertText(awkward, config["mode"].Value);
    }

    [Theory]
    [InlineData("integer", "8080", "8080")]
    [InlineData("boolean", "true", "true")]
    [InlineData("List<String>", "[\"0755\",\"a\"]", "[\"0755\",\"a\"]")]
    [InlineData("List<String>", "[\"subnet-1\",\"subnet-2\"]", "[\"subnet-1\",\"subnet-2\"]")]
    public void Typed_and_list_defaults_reach_the_program_as_their_values(string type, string @default, string json)
    {
        var (config, _) = RunDefault(new PlanConfigEntry("mode", type, false, "", @default));
        var read = PulumiYamlConfigRules.Evaluate(
            type == "List<String>" ? JsonNode.Parse("""{"fn::split": [",", "${mode}"]}""") : JsonValue.Create("${mode}"), config);

        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), read!.ToJsonString());
    }

    [Theory]
    [InlineData("${x}")]
    [InlineData("a${b.c}d")]
    [InlineData("$$${x}")]
    public void A_default_holding_an_access_is_refused(string @default)
    {
        var plan = DefaultPlan(new PlanConfigEntry("mode", "string", false, "", @default));

        var error = Assert.Throws<ArgumentException>(() => PulumiYamlRenderer.Render(plan));
        Assert.Contains("'mode'", error.Message, StringComparison.Ordinal);
    }

    private static ResourcePlan DefaultPlan(PlanConfigEntry entry)
    {
        var builder = new PlanBuilder();
        builder.AddConfig(entry);
        builder.Add("thing", "kubernetes:core/v1:ConfigMap", PlanValue.Map.Empty.With("data", PlanValue.Map.Empty.With("MODE", PlanValue.Config(entry.Key))), null);
        return builder.Build("env", Tier.Dev, "default");
    }

    private static (IReadOnlyDictionary<string, PulumiYamlConfigRules.ConfigValue> Config, IReadOnlyList<string> Warnings) RunDefault(PlanConfigEntry entry)
    {
        var rendered = PulumiYamlRenderer.Render(DefaultPlan(entry));
        Assert.Null(rendered.StackSettings);
        return PulumiYamlConfigRules.Load(rendered.Program, rendered.StackSettings, stack: rendered.StackName);
    }

    private static void AssertText(string expected, JsonNode? actual)
    {
        Assert.True(actual is JsonValue value && value.GetValueKind() == JsonValueKind.String, $"expected the text '{expected}', got {actual?.ToJsonString() ?? "null"}");
        Assert.Equal(expected, actual!.GetValue<string>());
    }

    // POSIX shell word splitting for what the commands use: blanks, single quotes, double quotes.
    private static ImmutableArray<string> ShellWords(string command)
    {
        var words = ImmutableArray.CreateBuilder<string>();
        var current = new System.Text.StringBuilder();
        var inWord = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (c == '\'')
            {
                var end = command.IndexOf('\'', i + 1);
                current.Append(command, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '"')
            {
                var end = command.IndexOf('"', i + 1);
                current.Append(command, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                Assert.False(c is '<' or '>' or '|' or '&' or ';' or '$' or '`', $"'{c}' outside quotes in: {command}");
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words.ToImmutable();
    }
}
