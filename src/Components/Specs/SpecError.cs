namespace Platform.Components.Specs;

/// <summary>One problem with a spec: where, what is wrong, and how to fix it.</summary>
/// <param name="Path">Location in the document, e.g. <c>spec.services[0].uses[2]</c>.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record SpecError(string Path, string Message, string Fix)
{
    /// <summary>One line: <c>path: message Fix.</c></summary>
    public override string ToString() => $"{Path}: {Message} {Fix}";
}
