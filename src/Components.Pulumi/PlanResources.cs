using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using Pulumi;

namespace Platform.Components.Pulumi;

/// <summary>
/// Creates plan resources by type token and reads their outputs by name.
/// <para>
/// The SDK fills a resource's outputs only into properties marked <see cref="OutputAttribute"/>: it finds them by
/// reflection when the resource is constructed and completes each from the engine's response, with that property's
/// own secret and known flags and the resource as its dependency (see <c>OutputCompletionSource.InitializeOutputs</c>
/// and <c>Deployment.CompleteResourceAsync</c> in pulumi-dotnet). A plain <see cref="CustomResource"/> has only
/// <c>urn</c> and <c>id</c>, and the SDK has no by-name accessor for other outputs. So for each set of output names
/// the plan reads from resources, this emits one subclass of <see cref="CustomResource"/> with an
/// <c>[Output("name")] Output&lt;object&gt;</c> property per name: the same mechanism generated provider SDKs use,
/// with the names taken from the plan instead of a schema. Reading the engine's state through an invoke
/// (<c>pulumi:pulumi:getResource</c>) instead would lose secrecy and dependency tracking and fails in previews.
/// </para>
/// </summary>
internal static class PlanResources
{
    private static readonly ModuleBuilder Module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("Platform.Components.Pulumi.PlanResources"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("Platform.Components.Pulumi.PlanResources");

    private static readonly ConcurrentDictionary<string, Lazy<Type>> Types = new(StringComparer.Ordinal);

    private static int _emitted;

    private static readonly Type[] ConstructorParameters = [typeof(string), typeof(string), typeof(ResourceArgs), typeof(CustomResourceOptions)];

    /// <summary>
    /// Creates a resource of <paramref name="type"/> whose outputs <paramref name="outputNames"/> can be read with
    /// <see cref="Output"/>. Without output names this is a plain <see cref="CustomResource"/>.
    /// </summary>
    public static CustomResource Create(string type, string name, ResourceArgs args, CustomResourceOptions options, IEnumerable<string> outputNames)
    {
        var names = outputNames.Where(n => n is not ("id" or "urn")).ToImmutableSortedSet(StringComparer.Ordinal);
        if (names.IsEmpty)
        {
            return new CustomResource(type, name, args, options);
        }

        var resourceType = Types.GetOrAdd(string.Join('\n', names), _ => new Lazy<Type>(() => Emit(names))).Value;
        try
        {
            return (CustomResource)Activator.CreateInstance(resourceType, type, name, args, options)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The output property <paramref name="name"/> of a resource made by <see cref="Create"/>.</summary>
    /// <exception cref="InvalidOperationException">The resource was not created with that output name.</exception>
    public static Output<object?> Output(CustomResource resource, string name)
    {
        ArgumentNullException.ThrowIfNull(resource);
        switch (name)
        {
            case "id":
                return resource.Id.Apply(id => (object?)id);
            case "urn":
                return resource.Urn.Apply(urn => (object?)urn);
        }

        var property = resource.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => p.GetCustomAttribute<OutputAttribute>()?.Name == name)
            ?? throw new InvalidOperationException($"Resource '{resource.GetResourceName()}' ({resource.GetResourceType()}) was not created to expose output '{name}'.");
        var output = (Output<object>)property.GetValue(resource)!;
        return output.Apply(value => (object?)value);
    }

    private static Type Emit(ImmutableSortedSet<string> names)
    {
        var builder = Module.DefineType(
            $"Platform.Components.Pulumi.PlanResource{Interlocked.Increment(ref _emitted)}",
            TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
            typeof(CustomResource));

        var baseConstructor = typeof(CustomResource).GetConstructor(ConstructorParameters)
            ?? throw new InvalidOperationException("CustomResource(string, string, ResourceArgs, CustomResourceOptions) is missing from the Pulumi SDK.");
        var constructor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, ConstructorParameters);
        var il = constructor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Call, baseConstructor);
        il.Emit(OpCodes.Ret);

        var outputAttribute = typeof(OutputAttribute).GetConstructor([typeof(string)])
            ?? throw new InvalidOperationException("OutputAttribute(string) is missing from the Pulumi SDK.");
        var index = 0;
        foreach (var name in names)
        {
            var propertyName = $"Output{index++}";
            var field = builder.DefineField($"_{propertyName}", typeof(Output<object>), FieldAttributes.Private);
            var property = builder.DefineProperty(propertyName, PropertyAttributes.None, typeof(Output<object>), null);
            const MethodAttributes accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;

            var getter = builder.DefineMethod($"get_{propertyName}", accessor, typeof(Output<object>), Type.EmptyTypes);
            var get = getter.GetILGenerator();
            get.Emit(OpCodes.Ldarg_0);
            get.Emit(OpCodes.Ldfld, field);
            get.Emit(OpCodes.Ret);

            var setter = builder.DefineMethod($"set_{propertyName}", accessor, null, [typeof(Output<object>)]);
            var set = setter.GetILGenerator();
            set.Emit(OpCodes.Ldarg_0);
            set.Emit(OpCodes.Ldarg_1);
            set.Emit(OpCodes.Stfld, field);
            set.Emit(OpCodes.Ret);

            property.SetGetMethod(getter);
            property.SetSetMethod(setter);
            property.SetCustomAttribute(new CustomAttributeBuilder(outputAttribute, [name]));
        }

        return builder.CreateType();
    }
}
