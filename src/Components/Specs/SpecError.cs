using Platform.Components.Documents;

namespace Platform.Components.Specs;

/// <summary>One problem with a spec: where, what is wrong, and how to fix it.</summary>
/// <param name="Path">Location in the document, e.g. <c>spec.services[0].uses[2]</c>.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record SpecError(string Path, string Message, string Fix)
{
    /// <summary>One line: <c>path: message Fix.</c></summary>
    public override string ToString() => $"{Path}: {Message} {Fix}";

    /// <summary>
    /// A syntax error as one spec error: at its document path with the line and column in the message, or (when it
    /// happened before any field was open) at the line and column itself, never an empty path or two positions.
    /// </summary>
    internal static SpecError Syntax(DocumentFormatException ex)
    {
        const string Fix = "Fix the syntax; the spec may be YAML or JSON.";
        if (ex.Line is not { } line || ex.Column is not { } column)
        {
            return new SpecError(ex.Path.Length == 0 ? "(document)" : ex.Path, ex.Message, Fix);
        }

        return ex.Path.Length == 0
            ? new SpecError($"line {line}, column {column}", $"{ex.Reason}.", Fix)
            : new SpecError(ex.Path, $"{ex.Reason} (line {line}, column {column}).", Fix);
    }
}
