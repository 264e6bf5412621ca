using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CsCheck;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.SpecDocuments;

/// <summary>Random specs, mostly near-valid, so every rule and every golden path gets exercised.</summary>
public sealed class SpecPropertyTests
{
    private static readonly Gen<string> Name = Gen.OneOf(
        Gen.OneOf("api", "web", "ledger", "orders-db", "events", "receipts", "cache", "jobs", "a", "billing-worker"),
        Gen.String[Gen.Char["abcz09-_A"], 0, 45]);

    private static readonly Gen<string> Image = Gen.OneOf(
        "registry.example.com/team/app:1.0.0", "app:latest", "app", "registry.example.com/x@sha256:" + new string('a', 64), "r.example.com/a:v2-rc.1");

    private static readonly Gen<ServiceSpec> Service =
        Gen.Select(Name, Gen.Enum<ServiceType>(), Image, Gen.Int[0, 70000].Nullable(), Name.Null(), Name.Array[0, 4], Gen.Int[0, 12].Array[2].Null(),
            Gen.OneOf<string?>(null, "100m", "2", "lots", "0"), Gen.OneOf<string?>(null, "64Mi", "9Gi", "1e3"), Gen.OneOf<string?>(null, "@daily", "0 3 * * *", "bad"),
            (name, type, image, port, host, uses, replicas, cpu, memory, schedule) => ServiceSpec.Create(name, type, image) with
            {
                Port = port,
                Host = host,
                Uses = [.. uses],
                Replicas = replicas is null ? null : new ReplicaRange(replicas[0], replicas[1]),
                Resources = cpu is null && memory is null ? null : new ComputeResources(cpu, memory),
                Schedule = schedule,
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("LOG_LEVEL", EnvValue.Plain("info")).Add("TOKEN", EnvValue.Secret("s3cr3t-" + name)),
            });

    private static readonly Gen<ResourceSpec> Resource =
        Gen.Select(Name, Gen.OneOf([.. ResourceKinds.All]), Gen.OneOf<string?>(null, "small", "medium", "large"), Gen.OneOf<string?>(null, "16", "9"), Gen.Bool,
            (name, kind, size, version, fifo) => new ResourceSpec(name, kind.Name, ImmutableSortedDictionary<string, string>.Empty
                .AddRange(new[] { ("size", size), ("version", version), ("fifo", fifo ? "true" : null) }
                    .Where(f => f.Item2 is not null).Select(f => KeyValuePair.Create(f.Item1, f.Item2!)))));

    internal static readonly Gen<EnvironmentSpec> Spec =
        Gen.Select(Name, Gen.Enum<Tier>(), Gen.OneOf<TimeSpan?>(null, TimeSpan.FromHours(72), TimeSpan.FromDays(100)), Service.Array[0, 5], Resource.Array[0, 4],
            (name, tier, ttl, services, resources) => new EnvironmentSpec(new EnvironmentMetadata(name, "payments", "cc-1234"), tier, "default", ttl, [.. services], [.. resources]));

    /// <summary>Valid specs, built to pass: fixed names, pinned images, references only to what exists.</summary>
    internal static readonly Gen<EnvironmentSpec> ValidSpec =
        Gen.Select(Gen.Enum<Tier>(), Gen.Int[0, 4], Gen.Int[0, 3], Gen.Int[0, 1000],
            (tier, serviceCount, resourceCount, seed) =>
            {
                var random = new Random(seed);
                var resources = Enumerable.Range(0, resourceCount)
                    .Select(i => ResourceSpec.Create($"res{i}", ResourceKinds.Names[random.Next(ResourceKinds.All.Length)]))
                    .ToImmutableArray();
                var services = Enumerable.Range(0, Math.Max(serviceCount, resources.IsEmpty ? 1 : 0)).Select(i =>
                {
                    var type = (ServiceType)random.Next(3);
                    var uses = resources.Select(r => r.Name).Concat(Enumerable.Range(0, i).Select(j => $"svc{j}"))
                        .Where(_ => random.Next(2) == 0).ToImmutableArray();
                    return ServiceSpec.Create($"svc{i}", type, $"registry.example.com/team/svc{i}:1.{i}.0") with
                    {
                        Host = type == ServiceType.Web && random.Next(2) == 0 ? $"host{i}" : null,
                        Schedule = type == ServiceType.Cron ? "*/5 * * * *" : null,
                        Replicas = type == ServiceType.Cron ? null : tier == Tier.Prod ? new ReplicaRange(2, 2 + random.Next(3)) : new ReplicaRange(1, 1 + random.Next(3)),
                        Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("MODE", EnvValue.Plain("x")).Add("API_KEY", EnvValue.Secret($"hunter2-{i}")),
                    };
                }).ToImmutableArray();
                // Services may only use services declared before them that can be reached (not cron).
                services = [.. services.Select(s => s with { Uses = [.. s.Uses.Where(u => !services.Any(o => o.Name == u && o.Type == ServiceType.Cron))] })];
                return new EnvironmentSpec(new EnvironmentMetadata("env", "payments", "cc-1234"), tier, "default", null, services, resources);
            });

    [Fact]
    public void Validation_never_throws_and_every_error_names_a_path_and_a_fix()
    {
        Spec.Sample(spec =>
        {
            var errors = SpecValidator.Validate(spec, TargetSettings.Default);
            Assert.All(errors, e =>
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Path));
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.False(string.IsNullOrWhiteSpace(e.Fix));
            });
        }, iter: 2000);
    }

    [Fact]
    public void Parsing_arbitrary_documents_never_throws()
    {
        var scalar = Gen.OneOf<JsonNode?>(
            Gen.OneOf<JsonNode?>(new JsonObject(), JsonValue.Create(true), JsonValue.Create(3), JsonValue.Create("dev"), JsonValue.Create("web"), JsonValue.Create("x:1")));
        var keys = Gen.OneOf("apiVersion", "kind", "metadata", "spec", "name", "type", "services", "resources", "uses", "replicas", "min", "env", "secret", "ttl", "tier", "port", "zzz");
        var tree = Gen.Recursive<JsonNode?>((depth, self) => depth > 3
            ? scalar
            : Gen.Frequency(
                (3, scalar),
                (2, Gen.Select(keys, self, (k, v) => (k, v)).Array[0, 5].Select(kvs =>
                {
                    var o = new JsonObject();
                    foreach (var (k, v) in kvs)
                    {
                        o[k] = v?.DeepClone();
                    }

                    return (JsonNode?)o;
                })),
                (1, self.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())])))));

        tree.Sample(node =>
        {
            var text = node?.ToJsonString() ?? "null";
            var result = SpecParser.Parse(text);
            Assert.True(result.Spec is not null || !result.Errors.IsEmpty);
            if (result.Spec is { } spec)
            {
                _ = SpecValidator.Validate(spec, TargetSettings.Default);
            }
        }, iter: 2000);

        Gen.String.Sample(text => _ = SpecParser.Parse(text), iter: 2000);
    }

    [Fact]
    public void Generated_valid_specs_are_valid_and_compile()
    {
        ValidSpec.Sample(spec =>
        {
            Assert.Empty(SpecValidator.Validate(spec, TargetSettings.Default));
            var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);
            Assert.Equal(plan.Resources.Length, plan.Resources.Select(r => r.Name).Distinct().Count());
            var texts = plan.Resources.SelectMany(r => r.Inputs.Walk()).Concat(plan.Outputs.SelectMany(o => o.Value.Walk()))
                .OfType<PlanValue.Text>().Select(t => t.Value);
            Assert.DoesNotContain(texts, t => t.Contains("hunter2", StringComparison.Ordinal));
            Assert.All(plan.StackConfig.Where(c => c.Value.Value.Contains("hunter2", StringComparison.Ordinal)), c => Assert.True(c.Value.Secret));
        }, iter: 300);
    }
}
