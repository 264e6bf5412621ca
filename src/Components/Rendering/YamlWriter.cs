using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Rendering;

/// <summary>
/// Writes a YAML node tree as one implicit document (no <c>---</c> or <c>...</c> markers) with two-space indents,
/// no line folding, LF line endings and a final newline, so the same tree always gives the same bytes.
/// Scalars keep the style set on them; collections keep theirs (block unless set to flow).
/// </summary>
internal static class YamlWriter
{
    /// <summary>Writes <paramref name="root"/>; <paramref name="comments"/> are written as <c># …</c> lines above the mapping keys they belong to (by reference).</summary>
    public static string Write(YamlNode root, IReadOnlyDictionary<YamlNode, string>? comments = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, root, comments ?? new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance));
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith('\n') ? text : text + "\n";
    }

    private static void Emit(Emitter emitter, YamlNode node, IReadOnlyDictionary<YamlNode, string> comments)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, scalar.Value ?? "", scalar.Style, true, true));
                break;
            case YamlSequenceNode sequence:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, sequence.Style));
                foreach (var child in sequence.Children)
                {
                    Emit(emitter, child, comments);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YamlMappingNode mapping:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, mapping.Style));
                foreach (var (key, value) in mapping.Children)
                {
                    if (comments.TryGetValue(key, out var comment))
                    {
                        foreach (var line in comment.Split('\n'))
                        {
                            emitter.Emit(new Comment(line, false));
                        }
                    }

                    Emit(emitter, key, comments);
                    Emit(emitter, value, comments);
                }

                emitter.Emit(new MappingEnd());
                break;
            default:
                throw new ArgumentException($"Cannot write a {node.GetType().Name}.", nameof(node));
        }
    }
}
