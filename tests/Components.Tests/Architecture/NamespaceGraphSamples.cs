// Small namespaces that NamespaceCycleTests point the graph at, to show it finds what it must: a cycle whose one edge
// is only in a method body, and edges that exist only as a generic argument or inside a lambda.
#pragma warning disable CA1812 // Instantiated by no one: only their compiled references matter.

namespace Platform.Components.Tests.Architecture.CycleSample.Left
{
    internal sealed class Caller
    {
        public static int Call() => Right.Callee.Length("x");
    }
}

namespace Platform.Components.Tests.Architecture.CycleSample.Right
{
    internal static class Callee
    {
        public static int Length(string text) => text.Length;

        public static Left.Caller? Back() => null;
    }
}

namespace Platform.Components.Tests.Architecture.AcyclicSample.Upper
{
    internal static class Reader
    {
        public static int Count() => new List<Lower.Item>().Count;

        public static Func<int> Later() => () => Lower.Item.Size;
    }
}

namespace Platform.Components.Tests.Architecture.AcyclicSample.Lower
{
    internal sealed class Item
    {
        public static int Size => 1;
    }
}
