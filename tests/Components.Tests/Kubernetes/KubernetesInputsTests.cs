using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;

namespace Platform.Components.Tests.Kubernetes;

/// <summary>
/// <see cref="KubernetesInputs"/> reads the models itself instead of through System.Text.Json's contracts; these tests
/// hold it to the client's own serializer (<see cref="KubernetesJson.Serialize"/>), the wire form the API server reads,
/// for every kind of object the planners build, with every property (nested ones too) set.
/// </summary>
public sealed class KubernetesInputsTests
{
    // Every object the planners hand to KubernetesInputs (grep "KubernetesInputs." in src/Components/Kubernetes).
    public static TheoryData<Type> RootTypes() =>
    [
        typeof(V1Namespace), typeof(V1ResourceQuota), typeof(V1LimitRange), typeof(V1ServiceAccount), typeof(V1ConfigMap),
        typeof(V1Secret), typeof(V1Deployment), typeof(V1CronJob), typeof(V1Service), typeof(V1Ingress),
        typeof(V2HorizontalPodAutoscaler), typeof(V1PodDisruptionBudget), typeof(V1NetworkPolicy),
    ];

    [Theory]
    [MemberData(nameof(RootTypes))]
    public void A_fully_populated_object_converts_to_what_the_client_serializes(Type type)
    {
        var model = new Populator().Create(type, depth: 0);

        var actual = KubernetesInputs.From(model);

        Assert.Equal(Expected(model), actual);
        Assert.True(actual.Walk().Count() > 50, "the populated object should be large enough to mean something");
    }

    [Fact]
    public void A_replaced_key_holds_its_value_where_With_would_put_it()
    {
        V1PodSpec Pod() => new() { ServiceAccountName = "placeholder", Containers = [new V1Container { Name = "app" }], EnableServiceLinks = false };
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["a"] = "1", ["role"] = "", ["z"] = "2" };
        var reference = PlanValue.Ref("account", "metadata.name");

        var pod = Pod();
        var deployment = new V1Deployment { Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = pod } } };
        Assert.Equal(
            KubernetesInputs.Namespaced(new V1Deployment { Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = Pod() } } })
                .With("spec.template.spec.serviceAccountName", reference),
            KubernetesInputs.Namespaced(deployment, pod, "serviceAccountName", reference));

        var account = new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "app", Annotations = annotations } };
        Assert.Equal(
            KubernetesInputs.Namespaced(account).With("metadata.annotations", reference, "role"),
            KubernetesInputs.Namespaced(account, annotations, "role", reference));

        // A key the object does not set has no place to take: an error, not a value silently left out.
        Assert.Throws<ArgumentException>(() => KubernetesInputs.Namespaced(account, annotations, "missing", reference));
    }

    [Fact]
    public void False_and_zero_are_written_and_nulls_are_not()
    {
        var account = new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "svc" }, AutomountServiceAccountToken = false };
        var policy = new V1PodDisruptionBudget { Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 0 } };

        Assert.Equal(new PlanValue.Bool(false), KubernetesInputs.From(account)["automountServiceAccountToken"]);
        Assert.Equal(Expected(account), KubernetesInputs.From(account));
        Assert.Equal(Expected(policy), KubernetesInputs.From(policy));
        Assert.Null(KubernetesInputs.From(account)["secrets"]);
    }

    [Fact]
    public void Quantities_int_or_string_and_bytes_keep_their_wire_form()
    {
        var secret = new V1Secret { Data = new Dictionary<string, byte[]> { ["k"] = [1, 2, 255] } };
        var container = new V1Container
        {
            Name = "app",
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1500m"), ["memory"] = new("1Gi") } },
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "http", Path = "/" }, TcpSocket = new V1TCPSocketAction { Port = 8080 } },
        };

        Assert.Equal(Expected(secret), KubernetesInputs.From(secret));
        Assert.Equal(new PlanValue.Text("AQL/"), ((PlanValue.Map)KubernetesInputs.From(secret)["data"]!)["k"]);
        Assert.Equal(Expected(container), KubernetesInputs.From(container));
    }

    [Fact]
    public void Shared_labels_convert_as_the_client_serializes_them_and_once_for_every_object_that_carries_them()
    {
        var labels = new SharedLabels(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("zeta", "z"), KeyValuePair.Create("app.kubernetes.io/name", "api"), KeyValuePair.Create("alpha", "a")]));
        var account = new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "api", Labels = labels } };
        var service = new V1Service { Metadata = new V1ObjectMeta { Name = "api", Labels = labels }, Spec = new V1ServiceSpec { Selector = labels } };

        Assert.Equal(Expected(account), KubernetesInputs.From(account));
        Assert.Equal(Expected(service), KubernetesInputs.From(service));
        var first = ((PlanValue.Map)KubernetesInputs.From(account)["metadata"]!)["labels"];
        var second = ((PlanValue.Map)KubernetesInputs.From(service)["metadata"]!)["labels"];
        Assert.Same(first, second);
        Assert.Throws<NotSupportedException>(() => ((IDictionary<string, string>)labels)["other"] = "x"); // shared, so nobody may change them
    }

    public static TheoryData<string> NamespacedCases() => ["namespace set", "namespace unset", "no metadata"];

    [Theory]
    [MemberData(nameof(NamespacedCases))]
    public void Namespaced_points_metadata_namespace_at_the_namespace_resource_where_With_would(string variant)
    {
        // Namespaced sets the reference while converting instead of copying the converted object; it must give what
        // From(...).With("metadata.namespace", ...) gives: the key in place when the model sets it, else last.
        var metadata = variant switch
        {
            "namespace set" => new V1ObjectMeta { Name = "api", NamespaceProperty = "placeholder", Labels = new Dictionary<string, string> { ["app"] = "api" } },
            "namespace unset" => new V1ObjectMeta { Name = "api", Labels = new Dictionary<string, string> { ["app"] = "api" } },
            _ => null,
        };
        var account = new V1ServiceAccount { Metadata = metadata, AutomountServiceAccountToken = false };

        var expected = KubernetesInputs.From(account).With("metadata.namespace", PlanValue.Ref(LogicalNames.Namespace, "metadata.name"));

        Assert.Equal(expected, KubernetesInputs.Namespaced(account));
        Assert.Equal(
            expected.Entries.Select(e => e.Key),
            KubernetesInputs.Namespaced(account).Entries.Select(e => e.Key));
        Assert.Equal(
            ((PlanValue.Map)expected["metadata"]!).Entries.Select(e => e.Key),
            ((PlanValue.Map)KubernetesInputs.Namespaced(account)["metadata"]!).Entries.Select(e => e.Key));
    }

    /// <summary>
    /// The client's JSON, parsed back, in KubernetesInputs' key order (leading keys first, the rest as written) and
    /// without the root's <c>apiVersion</c>/<c>kind</c>.
    /// </summary>
    private static PlanValue.Map Expected(object model)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(model))!.AsObject();
        json.Remove("apiVersion");
        json.Remove("kind");
        return (PlanValue.Map)Ordered(PlanValue.FromJson(json));
    }

    private static PlanValue Ordered(PlanValue value) => value switch
    {
        PlanValue.Map map => new PlanValue.Map([.. map.Entries
            .Select(e => KeyValuePair.Create(e.Key, Ordered(e.Value)))
            .OrderBy(e => KubernetesInputs.RankOf(e.Key))]),
        PlanValue.List list => new PlanValue.List([.. list.Items.Select(Ordered)]),
        _ => value,
    };

    /// <summary>Sets every property of a model, recursively, to a distinct sample value.</summary>
    private sealed class Populator
    {
        private const int MaxDepth = 7;
        private int _counter;

        public object Create(Type type, int depth)
        {
            var model = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                if (Sample(property.PropertyType, depth + 1, property.Name) is { } value)
                {
                    property.SetValue(model, value);
                }
            }

            return model;
        }

        private object? Sample(Type type, int depth, string name)
        {
            var n = ++_counter;
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (underlying == typeof(string))
            {
                return name is "apiVersion" or "ApiVersion" ? "v1" : $"{name}-{n}";
            }

            if (underlying == typeof(bool))
            {
                return n % 2 == 0;
            }

            if (underlying == typeof(int))
            {
                return n % 3;
            }

            if (underlying == typeof(long))
            {
                return (long)n;
            }

            if (underlying == typeof(double))
            {
                return n + 0.5;
            }

            if (underlying == typeof(DateTime))
            {
                return new DateTime(2026, 12, 1, 6, 0, n % 60, DateTimeKind.Utc);
            }

            if (underlying == typeof(byte[]))
            {
                return new byte[] { 1, (byte)n, 255 };
            }

            if (underlying == typeof(ResourceQuantity))
            {
                return new ResourceQuantity($"{n}00m");
            }

            if (underlying == typeof(IntOrString))
            {
                return n % 2 == 0 ? (IntOrString)"http" : (IntOrString)n;
            }

            if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            {
                var valueType = underlying.GetGenericArguments()[1];
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
                foreach (var key in new[] { "zeta", "app.kubernetes.io/name", "alpha" })
                {
                    dictionary[key] = Sample(valueType, depth, key);
                }

                return dictionary;
            }

            if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IList<>))
            {
                var itemType = underlying.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
                if (Sample(itemType, depth, name) is { } first)
                {
                    list.Add(first);
                    list.Add(Sample(itemType, depth, name));
                }

                return list;
            }

            if (underlying.IsClass && underlying.Namespace == "k8s.Models")
            {
                return depth > MaxDepth ? null : Create(underlying, depth);
            }

            // Anything else (JsonElement-typed extension fields and the like) is left unset.
            return null;
        }
    }
}
