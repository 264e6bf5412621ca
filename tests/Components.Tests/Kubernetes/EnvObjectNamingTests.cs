using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Rendering;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tests.Rendering;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>
/// Objects pods load with <c>envFrom</c> are autonamed and referred to by their <c>metadata.name</c> outputs, so a
/// changed value (plain or secret, or a rotated connection password) replaces the object under a new name and rolls
/// the pods (<see cref="KubernetesPlanner.AutonamedMetadata"/> cites the provider's rules). With fixed names the
/// provider replaced a changed Secret delete-first under the same name and the pods never restarted.
/// </summary>
public sealed class EnvObjectNamingTests
{
    private const string Password = "hunter2";

    private static EnvironmentSpec Spec(string password = Password, Tier tier = Tier.Prod)
    {
        var spec = TestSpecs.CheckoutStaging(tier);
        return spec with
        {
            Services = [.. spec.Services.Select(s => s.Name == "api"
                ? s with { Env = s.Env.SetItem("API_KEY", EnvValue.Secret(password)) }
                : s)],
            Resources = spec.Resources.Add(ResourceSpec.Create("sessions", "cache")),
        };
    }

    private static ServiceSpec Api(EnvironmentSpec spec) => spec.Services.Single(s => s.Name == "api");

    private static EnvironmentSpec UsingSessions(EnvironmentSpec spec) =>
        spec with { Services = [.. spec.Services.Select(s => s.Name == "api" ? s with { Uses = s.Uses.Add("sessions") } : s)] };

    private static ResourcePlan Compile(EnvironmentSpec spec) => PlanCompiler.Compile(UsingSessions(spec), DeploymentTarget.Default);

    // Every object a pod loads whole: the service's own ConfigMap and Secret and each used resource's connection object.
    private static readonly string[] EnvObjects =
    [
        ServiceResources.ConfigMap("api"), ServiceResources.Secret("api"), LogicalNames.ConnectionSecret("orders-db"),
        LogicalNames.ConnectionSecret("sessions"), ConnectionConfig.LogicalName("receipts"), ConnectionConfig.LogicalName("events"),
    ];

    [Fact]
    public void Objects_loaded_with_env_from_have_no_fixed_name_and_pods_load_them_by_their_name_output()
    {
        var plan = Compile(Spec());
        var envFrom = plan[ServiceResources.Deployment("api")].Inputs.At("spec.template.spec.containers.0.envFrom")!.Items()
            .Select(e => e.At("configMapRef.name") ?? e.At("secretRef.name"))
            .ToList();

        foreach (var logical in EnvObjects)
        {
            var resource = plan[logical];
            Assert.Null(resource.Inputs.At("metadata.name"));
            Assert.Equal(PlanValue.Ref(LogicalNames.Namespace, "metadata.name"), resource.Inputs.At("metadata.namespace"));
            Assert.Contains(PlanValue.Ref(logical, "metadata.name"), envFrom);
        }

        Assert.Equal(EnvObjects.Length, envFrom.Count);
        Assert.All(envFrom, name => Assert.IsType<PlanValue.Reference>(name));
    }

    [Fact]
    public void The_rendered_program_leaves_the_names_to_pulumi_and_refers_to_them()
    {
        var program = PulumiYaml.Json(PulumiYamlRenderer.Render(Compile(Spec())).Program);
        var resources = program["resources"]!.AsObject();

        foreach (var logical in EnvObjects)
        {
            var metadata = resources[logical]!["properties"]!["metadata"]!.AsObject();
            Assert.False(metadata.ContainsKey("name"), $"{logical} names itself");
        }

        var container = resources[ServiceResources.Deployment("api")]!["properties"]!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var names = container["envFrom"]!.AsArray()
            .Select(e => (string?)(e!["secretRef"] ?? e["configMapRef"])!["name"])
            .ToList();
        Assert.Equal([.. EnvObjects.Select(logical => $"${{{logical}.metadata.name}}").Order(StringComparer.Ordinal)], names.Order(StringComparer.Ordinal));
        // The reference is the whole dependency: no dependsOn left over from the fixed names.
        Assert.Null(resources[ServiceResources.Deployment("api")]!["options"]?["dependsOn"]);
        Assert.DoesNotContain("config-hash", PulumiYamlRenderer.Render(Compile(Spec())).Program, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_secret_changes_nothing_but_secret_stack_config()
    {
        // The Secret reads the value from secret config; the new name that rolls the pods comes from the provider's
        // replacement. Nothing in the program (no annotation, no hash) may vary with the value: a digest of a
        // low-entropy secret in a pod template could be brute-forced by anyone who can read Deployments.
        var before = Compile(Spec("hunter2"));
        var after = Compile(Spec("hunter3"));

        Assert.Equal(before.Resources, after.Resources);
        Assert.Equal(PulumiYamlRenderer.Render(before).Program, PulumiYamlRenderer.Render(after).Program);
        Assert.NotEqual(before.StackConfig, after.StackConfig);
        Assert.IsType<PlanValue.Secret>(after[ServiceResources.Secret("api")].Inputs.At("stringData.API_KEY"));
    }

    [Fact]
    public void Cron_jobs_load_their_secret_by_its_name_output_too()
    {
        var spec = new EnvironmentSpec(new EnvironmentMetadata("jobs", "team", "cc"), Tier.Dev, "default", null,
        [
            ServiceSpec.Create("billing", ServiceType.Cron, "r.example.com/billing:1.0") with
            {
                Schedule = "0 1 * * *",
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("STRIPE_KEY", EnvValue.Secret("sk")).Add("MODE", EnvValue.Plain("x")),
            },
        ], []);
        var plan = PlanCompiler.Compile(spec, DeploymentTarget.Default);
        var container = plan[ServiceResources.CronJob("billing")].Inputs.At("spec.jobTemplate.spec.template.spec.containers.0")!;

        Assert.Equal(PlanValue.Ref(ServiceResources.ConfigMap("billing"), "metadata.name"), container.At("envFrom.0.configMapRef.name"));
        Assert.Equal(PlanValue.Ref(ServiceResources.Secret("billing"), "metadata.name"), container.At("envFrom.1.secretRef.name"));
        Assert.Equal(PlanValue.Ref(LogicalNames.ServiceAccount("billing"), "metadata.name"), plan[ServiceResources.CronJob("billing")].Inputs.At("spec.jobTemplate.spec.template.spec.serviceAccountName"));
        Assert.Null(plan[ServiceResources.Secret("billing")].Inputs.At("metadata.name"));
    }

    [Fact]
    public void Databases_and_caches_publish_their_connection_secret_name()
    {
        var plan = Compile(Spec());

        Assert.Equal(PlanValue.Ref(LogicalNames.ConnectionSecret("orders-db"), "metadata.name"), plan.Outputs.Single(o => o.Name == "ordersDbConnectionSecret").Value);
        Assert.Equal(PlanValue.Ref(LogicalNames.ConnectionSecret("sessions"), "metadata.name"), plan.Outputs.Single(o => o.Name == "sessionsCacheConnectionSecret").Value);
    }

    [Fact]
    public void Autonames_of_the_longest_names_are_valid_object_names()
    {
        // pulumi-kubernetes names an object "<URN name>-" plus a random suffix (provider/pkg/metadata/naming.go,
        // AssignNameIfAutonamable; pulumi/pulumi resource.NewUniqueName: 8 hex digits by default). ConfigMap and
        // Secret names must be DNS subdomains (lower-case alphanumerics, '-' and '.', at most 253 characters).
        var longest = new string('s', 63);
        foreach (var logical in new[] { ServiceResources.ConfigMap(longest), ServiceResources.Secret(longest), LogicalNames.ConnectionSecret(longest), ConnectionConfig.LogicalName(longest) })
        {
            var autoname = $"{logical}-0123abcd";
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", autoname);
            Assert.True(autoname.Length <= 253);
        }
    }
}
