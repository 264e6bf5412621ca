using System.Collections.Immutable;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;
using Platform.Components.Targets;

namespace Platform.Components.Tests.SpecDocuments;

public sealed class SpecValidatorTests
{
    private static ImmutableArray<SpecError> Validate(EnvironmentSpec spec, TargetSettings? targets = null) =>
        SpecValidator.Validate(spec, targets ?? TargetSettings.Default);

    private static EnvironmentSpec WithService(ServiceSpec service, Tier tier = Tier.Staging) =>
        TestSpecs.CheckoutStaging(tier) with { Ttl = null, Services = [service], Resources = [] };

    private static ServiceSpec Web(string name = "web") => ServiceSpec.Create(name, ServiceType.Web, "registry.example.com/team/web:1.2.3");

    private static void AssertOnlyError(ImmutableArray<SpecError> errors, string path, string messagePart)
    {
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Fix));
    }

    [Fact]
    public void The_readme_example_is_valid()
    {
        Assert.Empty(Validate(TestSpecs.CheckoutStaging()));
        Assert.Empty(Validate(SpecParser.Parse(TestSpecs.CheckoutStagingYaml).Spec!));
    }

    [Theory]
    [InlineData("Checkout", "not a DNS-safe name")]
    [InlineData("1checkout", "not a DNS-safe name")]
    [InlineData("check--out", "not a DNS-safe name")]
    [InlineData("checkout-", "not a DNS-safe name")]
    [InlineData("check_out", "not a DNS-safe name")]
    [InlineData("", "empty")]
    [InlineData("a-very-long-environment-name-that-goes-on-and-on", "the limit is 40")]
    public void Environment_names_must_be_dns_safe_and_short(string name, string message)
    {
        var spec = TestSpecs.CheckoutStaging() with { Metadata = new EnvironmentMetadata(name, "payments", "cc-1234") };
        AssertOnlyError(Validate(spec), "metadata.name", message);
    }

    [Fact]
    public void Team_and_cost_center_must_be_label_values()
    {
        var spec = TestSpecs.CheckoutStaging() with { Metadata = new EnvironmentMetadata("checkout-staging", "pay ments", "cc/1") };
        var paths = Validate(spec).Select(e => e.Path).ToList();
        Assert.Equal(["metadata.team", "metadata.costCenter"], paths);
    }

    [Fact]
    public void Reserved_label_keys_are_rejected()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Metadata = new EnvironmentMetadata("checkout-staging", "payments", "cc-1234", ImmutableSortedDictionary<string, string>.Empty.Add("platform.io/team", "x").Add("owner", "alice")),
        };
        AssertOnlyError(Validate(spec), "metadata.labels.platform.io/team", "not a label key");
    }

    [Fact]
    public void Unknown_targets_name_the_known_ones()
    {
        var targets = TargetSettings.From([new DeploymentTarget { Name = "eu-staging" }]);
        var errors = Validate(TestSpecs.CheckoutStaging() with { Target = "us-prod" }, targets);
        AssertOnlyError(errors, "spec.target", "'us-prod'");
        Assert.Contains("default, eu-staging", errors[0].Fix, StringComparison.Ordinal);
        Assert.Empty(Validate(TestSpecs.CheckoutStaging() with { Target = "eu-staging" }, targets));
    }

    [Fact]
    public void A_target_built_in_code_is_held_to_the_rules_of_the_targets_file()
    {
        // The Pulumi binding takes a DeploymentTarget from code, which no targets-file reader has checked.
        var targets = TargetSettings.From([new DeploymentTarget
        {
            Name = "eu-staging",
            OidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/A\"B",
            Telemetry = new TelemetrySettings { OtlpEndpoint = "otel-collector:4317" },
        }]);

        var errors = Validate(TestSpecs.CheckoutStaging() with { Target = "eu-staging" }, targets);

        Assert.Equal(["targets.eu-staging.oidcProviderArn", "targets.eu-staging.telemetry.otlpEndpoint"], errors.Select(e => e.Path));
        Assert.Empty(Validate(TestSpecs.CheckoutStaging() with { Target = "eu-staging" }, TargetSettings.From([Aws.AwsPlans.FullTarget with { Name = "eu-staging" }])));
    }

    [Fact]
    public void Prod_takes_no_ttl_and_other_tiers_cap_it()
    {
        AssertOnlyError(Validate(TestSpecs.CheckoutStaging(Tier.Prod) with { Ttl = TimeSpan.FromDays(1), Services = [Web() with { Replicas = new ReplicaRange(2, 4) }], Resources = [] }), "spec.ttl", "never expires");
        AssertOnlyError(Validate(TestSpecs.CheckoutStaging(Tier.Dev) with { Ttl = TimeSpan.FromDays(15), Services = [Web()], Resources = [] }), "spec.ttl", "maximum of 14d");
        AssertOnlyError(Validate(TestSpecs.CheckoutStaging(Tier.Dev) with { Ttl = TimeSpan.FromMinutes(5), Services = [Web()], Resources = [] }), "spec.ttl", "too short");
        Assert.Empty(Validate(TestSpecs.CheckoutStaging(Tier.Dev) with { Ttl = TimeSpan.FromDays(14), Services = [Web()], Resources = [] }));
    }

    [Fact]
    public void An_empty_environment_is_an_error()
    {
        AssertOnlyError(Validate(TestSpecs.CheckoutStaging() with { Services = [], Resources = [] }), "spec", "no services and no resources");
    }

    [Fact]
    public void Duplicate_names_across_services_and_resources_are_errors()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [Web("api"), Web("api") with { Host = "b" }],
            Resources = [ResourceSpec.Create("api", "bucket")],
        };
        var errors = Validate(spec);
        Assert.Equal(["spec.services[1].name", "spec.resources[0].name"], errors.Select(e => e.Path));
        Assert.Contains("spec.services[0]", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserved_names_and_the_environment_name_are_not_service_names()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [Web("default-deny"), Web("checkout-staging")],
            Resources = [],
        };
        var errors = Validate(spec);
        Assert.Equal(["spec.services[0].name", "spec.services[1].name"], errors.Select(e => e.Path));
        Assert.Contains("reserved", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("environment's own name", errors[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry.example.com/team/web", "has no tag")]
    [InlineData("registry.example.com/team/web:latest", "'latest'")]
    [InlineData("web:latest", "'latest'")]
    [InlineData("registry.example.com:5000/team/web", "has no tag")]
    [InlineData("registry.example.com/team/web@sha256:abc", "malformed digest")]
    [InlineData("registry.example.com/Team/Web:1", "not an image reference")]
    [InlineData("registry.example.com/team/web:-bad", "not a valid image tag")]
    public void Images_must_be_pinned(string image, string message)
    {
        AssertOnlyError(Validate(WithService(Web() with { Image = image })), "spec.services[0].image", message);
    }

    [Theory]
    [InlineData("registry.example.com:5000/team/web:1.0")]
    [InlineData("registry.example.com/team/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("nginx:1.27-alpine")]
    public void Pinned_images_are_accepted(string image)
    {
        Assert.Empty(Validate(WithService(Web() with { Image = image })));
    }

    [Fact]
    public void Host_is_only_for_web_services_and_must_be_a_label()
    {
        AssertOnlyError(Validate(WithService(ServiceSpec.Create("jobs", ServiceType.Worker, "r.example.com/j:1") with { Host = "jobs" })), "spec.services[0].host", "Only web services");
        AssertOnlyError(Validate(WithService(Web() with { Host = "Shop.Front" })), "spec.services[0].host", "not a DNS label");
    }

    [Fact]
    public void Hosts_must_be_unique()
    {
        var spec = TestSpecs.CheckoutStaging() with { Services = [Web("a") with { Host = "shop" }, Web("b") with { Host = "shop" }], Resources = [] };
        AssertOnlyError(Validate(spec), "spec.services[1].host", "already used");
    }

    [Theory]
    [InlineData(0, "outside 1-65535")]
    [InlineData(70000, "outside 1-65535")]
    [InlineData(80, "privileged")]
    public void Ports_must_be_unprivileged_and_in_range(int port, string message)
    {
        AssertOnlyError(Validate(WithService(Web() with { Port = port })), "spec.services[0].port", message);
    }

    [Fact]
    public void Uses_must_name_something_declared_other_than_itself_once()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [Web("api") with { Uses = ["orders-db", "api", "nothing", "orders-db"] }],
            Resources = [ResourceSpec.Create("orders-db", "postgres")],
        };

        var errors = Validate(spec);

        Assert.Equal(["spec.services[0].uses[1]", "spec.services[0].uses[2]", "spec.services[0].uses[3]"], errors.Select(e => e.Path));
        Assert.Contains("names itself", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("names no service or resource", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("orders-db", errors[1].Fix, StringComparison.Ordinal);
        Assert.Contains("listed twice", errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uses_of_a_cron_job_is_an_error_but_a_worker_is_fine()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services =
            [
                Web("api") with { Uses = ["nightly", "jobs"] },
                ServiceSpec.Create("nightly", ServiceType.Cron, "r.example.com/n:1") with { Schedule = "@daily" },
                ServiceSpec.Create("jobs", ServiceType.Worker, "r.example.com/j:1"),
            ],
            Resources = [],
        };
        AssertOnlyError(Validate(spec), "spec.services[0].uses[0]", "cron job");
    }

    [Fact]
    public void Cron_services_need_a_valid_schedule_and_no_replicas_or_port()
    {
        var cron = ServiceSpec.Create("nightly", ServiceType.Cron, "r.example.com/n:1");
        AssertOnlyError(Validate(WithService(cron)), "spec.services[0].schedule", "needs a schedule");
        AssertOnlyError(Validate(WithService(cron with { Schedule = "every night" })), "spec.services[0].schedule", "not a cron schedule");
        Assert.Empty(Validate(WithService(cron with { Schedule = "*/15 2-4 * * MON-FRI" })));
        Assert.Empty(Validate(WithService(cron with { Schedule = "@daily" })));
        Assert.Empty(Validate(WithService(cron with { Schedule = "0,30 9-17/2 1-15 JAN-jun 0-6" })));
        Assert.Empty(Validate(WithService(cron with { Schedule = "0 3 * * SUN,sat" })));
        Assert.Empty(Validate(WithService(cron with { Schedule = "0 0 * * */7" })));
        foreach (var bad in new[] { "a b c d e", "99 99 99 99 99", "61 * * * *", "*/0 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "0 0 * * 7", "0 0 * * 1-7", "5-1 * * * *", "0 0 ? ? ?" })
        {
            AssertOnlyError(Validate(WithService(cron with { Schedule = bad })), "spec.services[0].schedule", "not a cron schedule");
        }

        var errors = Validate(WithService(cron with { Schedule = "@daily", Replicas = new ReplicaRange(1, 1), Port = 9000 }));
        Assert.Equal(["spec.services[0].replicas", "spec.services[0].port"], errors.Select(e => e.Path));
        AssertOnlyError(Validate(WithService(Web() with { Schedule = "@daily" })), "spec.services[0].schedule", "Only cron services");
    }

    [Fact]
    public void Health_path_is_for_web_services_and_absolute()
    {
        AssertOnlyError(Validate(WithService(Web() with { HealthPath = "healthz" })), "spec.services[0].healthPath", "not an absolute URL path");
        AssertOnlyError(Validate(WithService(ServiceSpec.Create("w", ServiceType.Worker, "r.example.com/w:1") with { HealthPath = "/h" })), "spec.services[0].healthPath", "Only web services");
    }

    [Fact]
    public void Env_names_must_be_valid_and_secrets_non_empty()
    {
        var env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("1BAD", EnvValue.Plain("x")).Add("TOKEN", EnvValue.Secret(""));
        var errors = Validate(WithService(Web() with { Env = env }));
        Assert.Equal(["spec.services[0].env.1BAD", "spec.services[0].env.TOKEN"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData(Tier.Dev, 1, 4, "spec.services[0].replicas.max", "maximum of 3")]
    [InlineData(Tier.Staging, 3, 2, "spec.services[0].replicas.max", "below min")]
    [InlineData(Tier.Prod, 1, 4, "spec.services[0].replicas.min", "prod minimum of 2")]
    [InlineData(Tier.Prod, 2, 51, "spec.services[0].replicas.max", "maximum of 50")]
    public void Replicas_stay_within_the_tier_guardrails(Tier tier, int min, int max, string path, string message)
    {
        AssertOnlyError(Validate(WithService(Web() with { Replicas = new ReplicaRange(min, max) }, tier)), path, message);
    }

    [Theory]
    [InlineData(Tier.Dev, "2", null, "spec.services[0].resources.cpu", "dev maximum of 1")]
    [InlineData(Tier.Staging, null, "5Gi", "spec.services[0].resources.memory", "staging maximum of 4Gi")]
    [InlineData(Tier.Prod, "lots", null, "spec.services[0].resources.cpu", "not a CPU quantity")]
    [InlineData(Tier.Prod, null, "512MB", "spec.services[0].resources.memory", "not a memory quantity")]
    [InlineData(Tier.Prod, "0", null, "spec.services[0].resources.cpu", "not a CPU quantity")]
    public void Requests_stay_within_the_tier_guardrails(Tier tier, string? cpu, string? memory, string path, string message)
    {
        var service = Web() with { Resources = new ComputeResources(cpu, memory), Replicas = tier == Tier.Prod ? new ReplicaRange(2, 4) : null };
        AssertOnlyError(Validate(WithService(service, tier)), path, message);
    }

    [Fact]
    public void Resource_options_belong_to_their_types()
    {
        var spec = TestSpecs.CheckoutStaging() with
        {
            Services = [],
            Resources =
            [
                ResourceSpec.Create("files", "bucket").With("size", "large").With("fifo", "true"),
                ResourceSpec.Create("db", "postgres").With("version", "9"),
                ResourceSpec.Create("jobs", "queue").With("version", "16"),
            ],
        };
        Assert.Equal(
            ["spec.resources[0].size", "spec.resources[0].fifo", "spec.resources[1].version", "spec.resources[2].version"],
            Validate(spec).Select(e => e.Path));
    }

    [Theory]
    [InlineData("user", "user")]
    [InlineData("order", "order")]
    [InlineData("current-user", "current_user")]
    [InlineData("left", "left")]
    public void A_database_named_by_a_reserved_postgres_word_is_refused(string name, string database)
    {
        var spec = TestSpecs.CheckoutStaging() with { Services = [], Resources = [ResourceSpec.Create(name, "postgres")] };

        var error = Assert.Single(Validate(spec));

        Assert.Equal("spec.resources[0].name", error.Path);
        Assert.Equal($"'{name}' would name its database '{database}', a word PostgreSQL reserves, which RDS refuses as a database name.", error.Message);
        Assert.Equal($"Rename the resource, e.g. '{name}-db'.", error.Fix);
        // Other kinds name nothing after a PostgreSQL word, and words PostgreSQL does not reserve are fine.
        Assert.Empty(Validate(spec with { Resources = [ResourceSpec.Create(name, "bucket")] }));
        Assert.Empty(Validate(spec with { Resources = [ResourceSpec.Create(name + "s", "postgres")] }));
        Assert.Empty(Validate(spec with { Resources = [ResourceSpec.Create("users", "postgres"), ResourceSpec.Create("database", "postgres")] }));
    }

    [Fact]
    public void Errors_from_parsing_the_text_point_at_the_same_paths()
    {
        var text = TestSpecs.CheckoutStagingYaml
            .Replace("uses: [orders-db, receipts, events, ledger]", "uses: [orders-db, receipts, evnts, ledger]", StringComparison.Ordinal)
            .Replace(":1.4.2", ":latest", StringComparison.Ordinal);

        var errors = Validate(SpecParser.Parse(text).Spec!);

        Assert.Equal(["spec.services[0].image", "spec.services[0].uses[2]"], errors.Select(e => e.Path));
    }

    [Fact]
    public void A_resource_type_no_kind_has_in_a_spec_built_in_code_is_an_error_not_an_exception()
    {
        // The parser refuses unknown types; a spec built in code (the binding's PlatformEnvironmentArgs.Spec) reaches
        // the validator with one, and the pipeline must report it, never throw while planning.
        var spec = TestSpecs.CheckoutStaging() with { Resources = [ResourceSpec.Create("store", "mongo")] };

        var result = EnvironmentPipeline.Run(spec, TargetSettings.From([Aws.AwsPlans.FullTarget]));

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors, e => e.Path == "spec.resources[0].type");
        Assert.Contains("mongo", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgres", error.Fix, StringComparison.Ordinal);
        Assert.Contains("type: mongo", SpecWriter.ToYaml(spec), StringComparison.Ordinal);
    }

    [Fact]
    public void A_tier_or_service_type_outside_the_enums_in_a_spec_built_in_code_is_an_error_not_an_exception()
    {
        // Issue 10: a code path that forgot a state must not end in an exception. Enums accept any number, so a spec
        // built in code can carry a tier or service type no table knows: each is a validation error naming its field.
        var staging = TestSpecs.CheckoutStaging();
        var spec = staging with { Tier = (Tier)7, Services = [staging.Services[0] with { Type = (ServiceType)9 }, .. staging.Services[1..]] };

        var result = EnvironmentPipeline.Run(spec, TargetSettings.From([Aws.AwsPlans.FullTarget]));

        Assert.False(result.Succeeded);
        Assert.Contains("dev, staging, prod", Assert.Single(result.Errors, e => e.Path == "spec.tier").Fix, StringComparison.Ordinal);
        Assert.Contains("web, worker, cron", Assert.Single(result.Errors, e => e.Path == "spec.services[0].type").Fix, StringComparison.Ordinal);
    }
}
