using System.Collections.Immutable;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Kubernetes;

public sealed class SecretEnvTests
{
    private const string Password = "hunter2-Plain-Text-Must-Not-Leak";
    private const string ApiKey = "sk_live_0123456789abcdef";

    private static EnvironmentSpec Spec() => new(
        new EnvironmentMetadata("vault", "sec", "cc-9"),
        Tier.Prod,
        "default",
        null,
        [
            ServiceSpec.Create("api", ServiceType.Web, "r.example.com/api:1.0") with
            {
                Host = "api",
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty
                    .Add("DB_PASSWORD", EnvValue.Secret(Password))
                    .Add("LOG_LEVEL", EnvValue.Plain("info")),
            },
            ServiceSpec.Create("billing", ServiceType.Cron, "r.example.com/billing:1.0") with
            {
                Schedule = "0 1 * * *",
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("STRIPE_KEY", EnvValue.Secret(ApiKey)),
            },
        ],
        []);

    [Fact]
    public void Secret_values_never_appear_in_plain_text_anywhere_in_the_plan()
    {
        var plan = KubernetesPlans.Compile(Spec());

        var texts = plan.Resources.SelectMany(r => r.Inputs.Walk())
            .Concat(plan.Outputs.SelectMany(o => o.Value.Walk()))
            .OfType<PlanValue.Text>()
            .Select(t => t.Value)
            .Concat(plan.Config.SelectMany(c => new[] { c.Key, c.Description, c.Default ?? "" }))
            .Concat(plan.Resources.Select(r => r.Name))
            .ToList();
        Assert.NotEmpty(texts);
        foreach (var secret in new[] { Password, ApiKey })
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, plan.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, string.Join(",", plan.StackConfig.Values), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Secret_values_live_only_in_secret_stack_config_read_by_a_kubernetes_secret()
    {
        var plan = KubernetesPlans.Compile(Spec());
        var secret = plan[ServiceResources.Secret("api")];

        Assert.Equal(KubernetesTypes.Secret, secret.Type);
        Assert.Equal("Opaque", secret.Inputs.At("type").Text());
        var value = Assert.IsType<PlanValue.Secret>(secret.Inputs.At("stringData.DB_PASSWORD"));
        Assert.Equal(PlanValue.Config("apiDbPassword"), value.Value);
        Assert.Null(secret.Inputs.At("stringData.LOG_LEVEL"));
        Assert.Equal(new StackConfigValue(Password, true), plan.StackConfig["apiDbPassword"]);
        Assert.Equal(new StackConfigValue(ApiKey, true), plan.StackConfig["billingStripeKey"]);
        Assert.All(plan.Config.Where(c => c.Key is "apiDbPassword" or "billingStripeKey"), c => Assert.True(c.Secret));

        var container = plan[ServiceResources.Deployment("api")].Inputs.At("spec.template.spec.containers.0")!;
        Assert.Equal(
            [PlanValue.Ref(ServiceResources.ConfigMap("api"), "metadata.name"), PlanValue.Ref(ServiceResources.Secret("api"), "metadata.name")],
            container.At("envFrom").Items().Select(e => e.At("configMapRef.name") ?? e.At("secretRef.name")));
        Assert.Contains(ServiceResources.Secret("api"), plan[ServiceResources.Deployment("api")].Dependencies);
        Assert.Equal(
            PlanValue.Ref(ServiceResources.Secret("billing"), "metadata.name"),
            plan[ServiceResources.CronJob("billing")].Inputs.At("spec.jobTemplate.spec.template.spec.containers.0.envFrom.0.secretRef.name"));
        Assert.DoesNotContain(plan.Resources, r => r.Name == ServiceResources.ConfigMap("billing"));
    }

    [Fact]
    public void Config_keys_are_camel_case_and_disambiguated_when_they_would_collide()
    {
        var spec = new EnvironmentSpec(new EnvironmentMetadata("e", "t", "c"), Tier.Dev, "default", null,
        [
            ServiceSpec.Create("api-x", ServiceType.Worker, "r/i:1") with { Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("Y", EnvValue.Secret("1")) },
            ServiceSpec.Create("api", ServiceType.Worker, "r/i:1") with
            {
                Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("X_Y", EnvValue.Secret("2")).Add("DB_PASSWORD", EnvValue.Secret("3")),
            },
            ServiceSpec.Create("kubernetes", ServiceType.Worker, "r/i:1") with { Env = ImmutableSortedDictionary<string, EnvValue>.Empty.Add("CONTEXT", EnvValue.Secret("4")) },
        ], []);

        var keys = SecretConfigKeys.For(spec, [ProviderPlanner.KubeContextKey]);

        Assert.Equal("apiDbPassword", keys[("api", "DB_PASSWORD")]);
        Assert.Matches("^apiXY[0-9a-f]{7}$", keys[("api-x", "Y")]);
        Assert.Matches("^apiXY[0-9a-f]{7}$", keys[("api", "X_Y")]);
        Assert.NotEqual(keys[("api-x", "Y")], keys[("api", "X_Y")]);
        Assert.Matches("^kubernetesContext[0-9a-f]{7}$", keys[("kubernetes", "CONTEXT")]);
        Assert.Equal(keys, SecretConfigKeys.For(spec, [ProviderPlanner.KubeContextKey]));
    }
}
