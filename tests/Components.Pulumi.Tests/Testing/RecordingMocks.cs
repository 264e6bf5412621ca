using System.Collections.Concurrent;
using System.Collections.Immutable;
using Pulumi.Testing;

namespace Platform.Components.Pulumi.Tests.Testing;

/// <summary>
/// Pulumi mocks that record every registration. A resource's state is its inputs plus fake values for the outputs
/// providers compute (<c>arn</c>, <c>endpoint</c>, <c>address</c>, <c>port</c>, <c>result</c>, <c>url</c>, <c>bucket</c>), so references resolve.
/// A Kubernetes object without <c>metadata.name</c> gets the name the provider would give it (<see cref="Autonamed"/>).
/// </summary>
internal sealed class RecordingMocks : IMocks
{
    public ConcurrentQueue<MockResourceArgs> Registrations { get; } = new();

    public ConcurrentDictionary<string, ImmutableDictionary<string, object>> States { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, ImmutableDictionary<string, global::Pulumi.Output<object?>>> RegisteredOutputs { get; } = new(StringComparer.Ordinal);

    public static ImmutableDictionary<string, object> FakeOutputs(string name) => ImmutableDictionary.CreateRange(new Dictionary<string, object>
    {
        ["arn"] = $"arn:aws:mock:::{name}",
        ["endpoint"] = $"{name}.mock.internal:5432",
        ["address"] = $"{name}.mock.internal",
        ["port"] = 5432,
        ["result"] = $"generated-{name}",
        ["url"] = $"https://mock.internal/{name}",
        ["bucket"] = $"{name}-mock-bucket",
    });

    /// <summary>The mocks' stand-in for the provider's random autoname suffix.</summary>
    public const string AutonameSuffix = "0a1b2c3d";

    /// <summary>
    /// The inputs with the name pulumi-kubernetes gives an object that has none: <c>{resource name}-{random suffix}</c>
    /// (pulumi/pulumi-kubernetes provider/pkg/metadata/naming.go, <c>AssignNameIfAutonamable</c>), the suffix fixed here.
    /// </summary>
    public static ImmutableDictionary<string, object> Autonamed(MockResourceArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Type?.StartsWith("kubernetes:", StringComparison.Ordinal) != true
            || !args.Inputs.TryGetValue("metadata", out var value)
            || value is not IReadOnlyDictionary<string, object> metadata
            || metadata.ContainsKey("name"))
        {
            return args.Inputs;
        }

        return args.Inputs.SetItem("metadata", ImmutableDictionary.CreateRange(metadata).SetItem("name", $"{args.Name}-{AutonameSuffix}"));
    }

    public Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        Registrations.Enqueue(args);
        var inputs = Autonamed(args);
        var state = inputs.SetItems(FakeOutputs(args.Name!).Where(f => !inputs.ContainsKey(f.Key)));
        States[args.Name!] = state;
        return Task.FromResult<(string? id, object state)>(($"{args.Name}-id", state));
    }

    public Task<object> CallAsync(MockCallArgs args) => Task.FromResult<object>(args.Args);

    public Task RegisterResourceOutputs(MockRegisterResourceOutputsRequest args)
    {
        RegisteredOutputs[args.Urn] = args.Outputs;
        return Task.CompletedTask;
    }

    public MockResourceArgs Registration(string name) => Registrations.Single(r => r.Name == name);
}
