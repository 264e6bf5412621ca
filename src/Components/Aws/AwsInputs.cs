using System.Runtime.InteropServices;
using Platform.Components.Planning;

namespace Platform.Components.Aws;

/// <summary>Small helpers for building AWS resource inputs in the order people read them.</summary>
internal static class AwsInputs
{
    /// <summary>Options of every AWS resource: the explicit AWS provider.</summary>
    public static PlanResourceOptions Options { get; } = PlanResourceOptions.WithProvider(LogicalNames.AwsProvider);

    /// <summary>A map with the given entries, in the given order.</summary>
    public static PlanValue.Map Map(params (string Key, PlanValue Value)[] entries)
    {
        // Straight into the map's array: every AWS resource's inputs are made here, so no iterator or builder either.
        var pairs = new KeyValuePair<string, PlanValue>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            pairs[i] = KeyValuePair.Create(entries[i].Key, entries[i].Value);
        }

        return new(ImmutableCollectionsMarshal.AsImmutableArray(pairs));
    }

    /// <summary>A list of values.</summary>
    public static PlanValue.List List(params PlanValue[] items) => new([.. items]);

    /// <summary>The standard tags (team, environment, tier, cost-center, managed-by) for a resource's <c>tags</c> input.</summary>
    public static PlanValue Tags(PlanContext context) => context.TagsValue;
}
