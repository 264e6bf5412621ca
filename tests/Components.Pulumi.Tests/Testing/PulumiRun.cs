using System.Collections.Immutable;
using Pulumi;
using Pulumi.Testing;

namespace Platform.Components.Pulumi.Tests.Testing;

/// <summary>What one test deployment did.</summary>
internal sealed record PulumiRun(
    RecordingMocks Mocks,
    ImmutableArray<Resource> Resources,
    IDictionary<string, object?> StackOutputs,
    ImmutableArray<ResourceTransformationArgs> Created)
{
    public const string Project = "platform";

    /// <summary>
    /// Runs <paramref name="program"/> in Pulumi's test deployment (not a preview, so outputs are known).
    /// <paramref name="config"/> becomes the stack config (keys without the project prefix).
    /// </summary>
    public static async Task<PulumiRun> RunAsync(
        Func<ComponentResourceOptions, IDictionary<string, object?>> program,
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyCollection<string>? secretKeys = null,
        string? rootDirectory = null,
        bool preview = false)
    {
        var mocks = new RecordingMocks();
        var created = ImmutableArray.CreateBuilder<ResourceTransformationArgs>();
        var options = new ComponentResourceOptions();
        // A transformation sees each resource with the options the binding gave it, including the parent.
        options.ResourceTransformations.Add(args =>
        {
            lock (created)
            {
                created.Add(args);
            }

            return null;
        });

        System.Environment.SetEnvironmentVariable("PULUMI_CONFIG", System.Text.Json.JsonSerializer.Serialize(
            (config ?? ImmutableDictionary<string, string>.Empty).ToDictionary(c => $"{Project}:{c.Key}", c => c.Value)));
        System.Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", System.Text.Json.JsonSerializer.Serialize(
            (secretKeys ?? []).Select(k => $"{Project}:{k}")));
        try
        {
            var (resources, outputs) = await Deployment.TestAsync(
                mocks,
                new TestOptions { IsPreview = preview, ProjectName = Project, StackName = "test", RootDirectory = rootDirectory },
                () => program(options));
            return new PulumiRun(mocks, resources, outputs, created.ToImmutable());
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("PULUMI_CONFIG", null);
            System.Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", null);
        }
    }

    /// <summary>Runs a PlatformEnvironment built by <paramref name="create"/> (given options carrying the recorder).</summary>
    public static async Task<(PulumiRun Run, PlatformEnvironment Environment)> EnvironmentAsync(
        Func<ComponentResourceOptions, PlatformEnvironment> create,
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyCollection<string>? secretKeys = null,
        bool preview = false)
    {
        PlatformEnvironment? environment = null;
        var run = await RunAsync(
            options =>
            {
                environment = create(options);
                return environment.Outputs.ToDictionary(o => o.Key, o => (object?)o.Value);
            },
            config,
            secretKeys,
            preview: preview);
        return (run, environment!);
    }

    /// <summary>The options and args a resource was created with.</summary>
    public ResourceTransformationArgs CreatedAs(string name) => Created.Single(c => c.Resource.GetResourceName() == name);
}

/// <summary>Reads outputs in tests.</summary>
internal static class Outputs
{
    public static Task<T> ValueAsync<T>(Output<T> output)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = output.Apply(value =>
        {
            completion.TrySetResult(value);
            return value;
        });
        return completion.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Paths (<c>a.b[0]</c>) of every output in an input structure that is secret; containers are walked, outputs are not.</summary>
    public static async Task<ImmutableSortedSet<string>> SecretPathsAsync(object? value, string path = "")
    {
        var result = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        switch (value)
        {
            case Output<object?> output:
                if (await Output.IsSecretAsync(output))
                {
                    result.Add(path);
                }

                break;
            case Output<string> text:
                if (await Output.IsSecretAsync(text))
                {
                    result.Add(path);
                }

                break;
            case IReadOnlyDictionary<string, object?> map:
                foreach (var (key, item) in map)
                {
                    result.UnionWith(await SecretPathsAsync(item, path.Length == 0 ? key : $"{path}.{key}"));
                }

                break;
            case ImmutableArray<object?> list:
                for (var i = 0; i < list.Length; i++)
                {
                    result.UnionWith(await SecretPathsAsync(list[i], $"{path}[{i}]"));
                }

                break;
        }

        return result.ToImmutable();
    }
}
