using System.Collections.Immutable;
using Platform.Components.Aws;
using Platform.Components.Planning;
using Platform.Components.Policies;
using Platform.Components.Resources;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.Kubernetes;

namespace Platform.Components.Tests.Resources;

/// <summary>
/// The architecture of resource kinds, checked for every kind the registry lists: each one validates its fields,
/// plans a component, grants its users least privilege (exact IAM actions, egress only to its own ports), is priced,
/// and has its rows in the README. A new kind is held to all of it without a new test here.
/// </summary>
public sealed class ResourceKindTests
{
    public static TheoryData<string> Kinds => [.. ResourceKinds.Names];

    [Fact]
    public void The_registry_lists_postgres_bucket_and_queue_first_and_every_kind_once()
    {
        Assert.Equal(["postgres", "bucket", "queue"], ResourceKinds.Names.Take(3));
        Assert.Equal(ResourceKinds.Names.Length, ResourceKinds.Names.Distinct().Count());
        Assert.All(ResourceKinds.All, k => Assert.Same(k, ResourceKinds.Get(k.Name)));
        Assert.Throws<ArgumentException>(() => ResourceKinds.Get("mysql"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_validates_its_fields(string kind)
    {
        var definition = ResourceKinds.Get(kind);
        foreach (var field in definition.Fields.Where(f => !f.IsFlag))
        {
            var errors = Validate(Spec(ResourceSpec.Create("thing", kind).With(field.Name, "no-such-value")));
            var error = Assert.Single(errors);
            Assert.Equal($"spec.resources[0].{field.Name}", error.Path);
            Assert.Contains(field.Values[0], error.Fix, StringComparison.Ordinal);
        }

        foreach (var field in definition.Fields)
        {
            Assert.Empty(Validate(Spec(ResourceSpec.Create("thing", kind).With(field.Name, field.Default ?? field.Values[0]))));
        }

        // A field of another kind is refused, naming the field.
        var foreign = ResourceKinds.FieldNames.FirstOrDefault(f => definition.Fields.All(d => d.Name != f));
        if (foreign is not null)
        {
            var error = Assert.Single(Validate(Spec(ResourceSpec.Create("thing", kind).With(foreign, "x"))));
            Assert.Equal($"spec.resources[0].{foreign}", error.Path);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_is_read_from_spec_text(string kind)
    {
        var text = $$"""
            apiVersion: platform/v1
            kind: Environment
            metadata: { name: shop-dev, team: payments, costCenter: cc-1 }
            spec:
              tier: dev
              resources:
                - { name: thing, type: {{kind}} }
            """;
        var parsed = SpecParser.Parse(text);
        Assert.Empty(parsed.Errors);
        Assert.Same(ResourceKinds.Get(kind), ResourceKinds.Of(Assert.Single(parsed.Spec!.Resources)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_plans_its_component_renders_and_is_priced(string kind)
    {
        var spec = Spec(ResourceSpec.Create("thing", kind));
        var result = EnvironmentPipeline.Run(spec, TargetSettings.From([AwsPlans.FullTarget]));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Message)));

        var component = Assert.Single(result.Plan.Components, c => c.Name == "thing");
        Assert.Equal(ResourceKinds.Get(kind).ComponentType, component.Type);
        Assert.Contains(result.Plan.Resources, r => r.Component == "thing" && r.Type.StartsWith("aws:", StringComparison.Ordinal));
        Assert.Contains(result.Plan.Outputs, o => o.Component == "thing");
        Assert.Contains(result.Cost.Resources, c => c.Component == "thing" && c.Monthly > 0);
        Assert.Empty(result.Cost.Unpriced);
        Assert.False(result.IsBlocked, string.Join("; ", result.Policy.Violations.Select(v => v.Message)));
        Assert.Empty(result.Policy.Violations);

        var program = Platform.Components.Rendering.PulumiYamlRenderer.Render(result.Plan);
        Assert.Empty(program.UnsetConfigKeys);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_grants_its_users_least_privilege(string kind)
    {
        var definition = ResourceKinds.Get(kind);
        var spec = Spec(ResourceSpec.Create("thing", kind)) with
        {
            Services = [ServiceSpec.Create("api", ServiceType.Web, "registry.example.com/team/api:1.0.0") with { Uses = ["thing"] }],
        };
        var plan = AwsPlans.Compile(spec, AwsPlans.FullTarget);
        var grant = definition.Grant(new PlanContext(spec, AwsPlans.FullTarget, new PlanBuilder(), ResourceKinds.Of), spec.Resources[0]);

        // Egress: DNS, the kind's own private ports and HTTPS only when it needs the AWS APIs; nothing else.
        var ports = plan["api-network-policy"].Inputs.At("spec.egress").Items()
            .SelectMany(rule => rule.At("ports").Items().Select(p => (int)p.At("port").Number()!.Value))
            .Where(p => p != 53)
            .ToHashSet();
        var expected = grant.PrivateNetworkPorts.ToHashSet();
        if (grant.UsesAwsApis)
        {
            expected.Add(443);
        }

        Assert.Equal(expected.Order(), ports.Order());

        // IAM: exact actions of the kind's own service on the resource's own ARNs, never a wildcard.
        Assert.All(grant.Statements, s =>
        {
            Assert.All(s.Actions, a => Assert.DoesNotContain('*', a));
            Assert.All(s.Actions, a => Assert.Matches("^[a-z0-9-]+:[A-Za-z]+$", a));
            Assert.NotEqual(PlanValue.From("*"), s.Resource);
            Assert.Contains(s.Resource.ReferencedResources(), r => plan[r].Component == "thing");
        });
        Assert.Empty(GuardrailRules.NoWildcardIam.Evaluate(plan));
        Assert.Equal(grant.UsesAwsApis, plan.Resources.Any(r => r.Name == LogicalNames.Role("api")));

        // Connection: the service loads the kind's connection object and waits for it.
        if (grant.Connection is { } connection)
        {
            Assert.Contains(connection.LogicalName, plan["api-deployment"].Dependencies);
            Assert.Equal("thing", plan[connection.LogicalName].Component);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_states_its_share_of_the_guardrails_in_the_rules_it_joins(string kind)
    {
        var definition = ResourceKinds.Get(kind);

        // Every kind stores or moves data, so it is held at least to encryption at rest; what it demands reads in the rule.
        Assert.Contains(definition.Guardrails, g => g.RuleId == GuardrailRules.EncryptionAtRest.Id);
        Assert.All(definition.Guardrails, g =>
        {
            var rule = Assert.Single(GuardrailRules.All, r => r.Id == g.RuleId);
            Assert.Contains(g.Requires, rule.Description, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_kind_has_its_rows_in_the_readme(string kind)
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        var definition = ResourceKinds.Get(kind);
        Assert.All(FieldRows(definition), row => Assert.Contains(row + "\n", readme, StringComparison.Ordinal));
        Assert.All(definition.TierSettings, t => Assert.Contains($"| {t.Name} | {t.Dev} | {t.Staging} | {t.Prod} |\n", readme, StringComparison.Ordinal));
        Assert.NotEmpty(definition.TierSettings);
    }

    [Fact]
    public void The_readme_lists_exactly_the_registered_resource_fields()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        var rows = readme.Split('\n').Where(l => l.StartsWith("| `resources[].", StringComparison.Ordinal)).ToList();
        var types = ResourceKinds.Names.Select(n => $"`{n}`").ToList();
        var expected = new List<string> { $"| `resources[].type` | {string.Join(", ", types[..^1])} or {types[^1]} |" };
        expected.AddRange(ResourceKinds.All.SelectMany(FieldRows));

        Assert.Equal(expected, rows);
    }

    /// <summary>The README's row of each field of a kind.</summary>
    public static IEnumerable<string> FieldRows(ResourceKind kind) => kind.Fields.Select(f =>
        $"| `resources[].{f.Name}` | {kind.Name} only: {f.Meaning}: {string.Join(", ", f.Values.Select(v => $"`{v}`"))}{(f.Default is null ? "" : $" (default `{f.Default}`)")} |");

    private static EnvironmentSpec Spec(ResourceSpec resource) => new(
        new EnvironmentMetadata("shop-dev", "payments", "cc-1234"), Tier.Dev, AwsPlans.FullTarget.Name, null, [], [resource]);

    private static ImmutableArray<SpecError> Validate(EnvironmentSpec spec) => SpecValidator.Validate(spec, TargetSettings.From([AwsPlans.FullTarget]));
}
