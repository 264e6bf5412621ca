using System.Reflection;
using System.Reflection.Emit;

namespace Platform.Components.Tests.Architecture;

/// <summary>
/// The namespace (folder) dependency graph of compiled code: namespace A depends on B when a type of A names a type of
/// B anywhere the compiled assembly records it — base type, interfaces, fields, properties, events, method signatures,
/// generic arguments and constraints, attributes, and every type, method and field token in method bodies (lambdas,
/// iterators and async state machines included, as they are nested types of their declaring type). Read from the
/// assembly rather than the source, so an implicit reference (a child namespace using a parent's type without a
/// <c>using</c>, a <c>var</c>) counts too. Constants are inlined by the compiler and <c>nameof</c>/<c>cref</c> leave no
/// trace, so those are not dependencies: they are not at run time either.
/// </summary>
internal sealed class NamespaceGraph
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OneByte = [];
    private static readonly Dictionary<short, OpCode> TwoByte = [];

    private readonly string _prefix;
    private readonly Dictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    static NamespaceGraph()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            (code.Size == 1 ? OneByte : TwoByte)[code.Value] = code;
        }
    }

    private NamespaceGraph(string prefix) => _prefix = prefix;

    /// <summary>Every edge, by source namespace: target namespace → the references that make it (<c>Type -> Type</c>).</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges => _edges;

    /// <summary>Namespaces with a type in the graph, by the part of the name after the prefix (the root is "").</summary>
    public SortedSet<string> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The graph of the types of <paramref name="assembly"/> whose namespace is <paramref name="prefix"/> or under it.</summary>
    public static NamespaceGraph Of(Assembly assembly, string prefix)
    {
        var graph = new NamespaceGraph(prefix);
        foreach (var type in assembly.GetTypes().Where(t => graph.Node(t) is not null))
        {
            graph.Visit(type);
        }

        return graph;
    }

    /// <summary>Every cycle: each strongly connected set of more than one namespace, or a namespace depending on itself.</summary>
    public List<List<string>> Cycles()
    {
        // Tarjan's strongly connected components.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<List<string>>();
        var counter = 0;

        void Connect(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Targets(node))
            {
                if (!index.TryGetValue(next, out var visited))
                {
                    Connect(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], visited);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(component);
                }
            }
        }

        foreach (var node in Nodes.Where(n => !index.ContainsKey(n)))
        {
            Connect(node);
        }

        return cycles;
    }

    /// <summary>The edges inside a set of namespaces, one line each with the references that make it: what to cut.</summary>
    public IEnumerable<string> Describe(IReadOnlyCollection<string> namespaces) =>
        namespaces.SelectMany(from => Targets(from).Where(namespaces.Contains).Select(to => $"{Name(from)} -> {Name(to)}: {string.Join("; ", _edges[from][to].Take(MaxReferences))}"));

    /// <summary>How many references <see cref="Describe"/> lists per edge (PLATFORM_GRAPH_REFERENCES overrides it).</summary>
    private static int MaxReferences => int.TryParse(System.Environment.GetEnvironmentVariable("PLATFORM_GRAPH_REFERENCES"), out var n) ? n : 3;

    /// <summary>The namespaces <paramref name="node"/> depends on.</summary>
    public IEnumerable<string> Targets(string node) => _edges.TryGetValue(node, out var targets) ? targets.Keys : [];

    /// <summary>A node for display: "(root)" for the prefix itself.</summary>
    public static string Name(string node) => node.Length == 0 ? "(root)" : node;

    private string? Node(Type type)
    {
        var ns = type.Namespace ?? "";
        if (ns == _prefix)
        {
            return "";
        }

        return ns.StartsWith(_prefix + ".", StringComparison.Ordinal) ? ns[(_prefix.Length + 1)..] : null;
    }

    private void Visit(Type type)
    {
        var from = Node(type)!;
        Nodes.Add(from);

        void Uses(Type? used)
        {
            foreach (var named in Named(used))
            {
                if (Node(named) is { } to && to != from)
                {
                    if (!_edges.TryGetValue(from, out var targets))
                    {
                        _edges[from] = targets = new(StringComparer.Ordinal);
                    }

                    if (!targets.TryGetValue(to, out var references))
                    {
                        targets[to] = references = new(StringComparer.Ordinal);
                    }

                    references.Add($"{type.FullName} -> {named.FullName}");
                }
            }
        }

        Uses(type.BaseType);
        foreach (var item in type.GetInterfaces())
        {
            Uses(item);
        }

        foreach (var argument in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
        {
            foreach (var constraint in argument.GetGenericParameterConstraints())
            {
                Uses(constraint);
            }
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            Uses(attribute.AttributeType);
        }

        foreach (var field in type.GetFields(Declared))
        {
            Uses(field.FieldType);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Uses(property.PropertyType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                Uses(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Uses(parameter.ParameterType);
            }

            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                Uses(local.LocalType);
            }

            foreach (var used in BodyReferences(method))
            {
                Uses(used);
            }
        }
    }

    // The types a method body names through its metadata tokens (calls, field accesses, newobj, castclass, ldtoken…).
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var offset = 0;
        while (offset < il.Length)
        {
            OpCode code;
            if (il[offset] == 0xFE)
            {
                code = TwoByte[unchecked((short)(0xFE00 | il[offset + 1]))];
                offset += 2;
            }
            else
            {
                code = OneByte[il[offset]];
                offset += 1;
            }

            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, offset);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token into another module's generic context that cannot be resolved here names no type of ours.
                    }

                    if (member is Type type)
                    {
                        yield return type;
                    }
                    else if (member is not null)
                    {
                        yield return member.DeclaringType!;
                        if (member is MethodInfo called)
                        {
                            yield return called.ReturnType;
                            foreach (var argument in called.IsGenericMethod ? called.GetGenericArguments() : [])
                            {
                                yield return argument;
                            }
                        }
                        else if (member is FieldInfo field)
                        {
                            yield return field.FieldType;
                        }
                    }

                    offset += 4;
                    break;
                case OperandType.InlineSwitch:
                    offset += 4 + (BitConverter.ToInt32(il, offset) * 4);
                    break;
                default:
                    offset += Size(code.OperandType);
                    break;
            }
        }
    }

    private static int Size(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    // A type and every type it is built from: element types, generic arguments, and the declaring type of a nested one.
    private static IEnumerable<Type> Named(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var element in Named(type.GetElementType()))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Named))
            {
                yield return argument;
            }

            type = type.GetGenericTypeDefinition();
        }

        yield return type;
    }
}
