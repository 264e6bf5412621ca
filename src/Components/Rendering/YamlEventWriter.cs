using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Components.Rendering;

/// <summary>
/// Writes YAML straight to a <see cref="TextWriter"/> as its events are emitted, with the settings of
/// <see cref="YamlWriter"/> (one implicit document, two-space indents, no line folding, LF line endings, a final
/// newline): the same events give the same bytes as writing the equivalent node tree, without building the tree.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The tracking writer only wraps the caller's writer, which the caller owns and disposes.")]
internal sealed class YamlEventWriter
{
    private readonly TrackingWriter _output;
    private readonly Emitter _emitter;

    /// <summary>Starts the document on <paramref name="output"/>; line breaks are LF whatever its <see cref="TextWriter.NewLine"/>.</summary>
    public YamlEventWriter(TextWriter output)
    {
        _output = new TrackingWriter(output);
        _emitter = new Emitter(_output, 2, int.MaxValue);
        _emitter.Emit(new StreamStart());
        _emitter.Emit(new DocumentStart(null, null, true));
    }

    /// <summary>A scalar in the given style.</summary>
    public void Scalar(string value, ScalarStyle style) =>
        _emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, value, style, true, true));

    /// <summary>A string: plain when YAML would read it back as the same string, double-quoted otherwise.</summary>
    public void String(string value) => Scalar(value, YamlScalars.MustQuote(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);

    /// <summary>A plain scalar (<c>true</c>, <c>null</c>, a number).</summary>
    public void Plain(string value) => Scalar(value, ScalarStyle.Plain);

    /// <summary>A double-quoted scalar.</summary>
    public void Quoted(string value) => Scalar(value, ScalarStyle.DoubleQuoted);

    /// <summary>Opens a mapping (block unless <paramref name="style"/> says flow).</summary>
    public void BeginMapping(MappingStyle style = MappingStyle.Any) =>
        _emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, style));

    /// <summary>Closes the innermost mapping.</summary>
    public void EndMapping() => _emitter.Emit(new MappingEnd());

    /// <summary>Opens a sequence (block unless <paramref name="style"/> says flow).</summary>
    public void BeginSequence(SequenceStyle style = SequenceStyle.Any) =>
        _emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, style));

    /// <summary>Closes the innermost sequence.</summary>
    public void EndSequence() => _emitter.Emit(new SequenceEnd());

    /// <summary><c># …</c> lines, one per line of <paramref name="text"/>, written above the next mapping key.</summary>
    public void Comment(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            _emitter.Emit(new YamlDotNet.Core.Events.Comment(line, false));
        }
    }

    /// <summary>Ends the document and makes sure the text ends with a newline.</summary>
    public void Finish()
    {
        _emitter.Emit(new DocumentEnd(true));
        _emitter.Emit(new StreamEnd());
        if (_output.Last != '\n')
        {
            _output.Write('\n');
        }

        _output.Flush();
    }

    // Remembers the last character written, for the final newline. Line breaks are LF already: the emitter writes
    // this writer's NewLine (LF), and scalars holding CR or other control characters are always double-quoted (escaped).
    private sealed class TrackingWriter : TextWriter
    {
        private readonly TextWriter _inner;

        public TrackingWriter(TextWriter inner)
            : base(inner.FormatProvider)
        {
            _inner = inner;
            NewLine = "\n";
        }

        public char Last { get; private set; }

        public override System.Text.Encoding Encoding => _inner.Encoding;

        public override void Write(char value)
        {
            _inner.Write(value);
            Last = value;
        }

        public override void Write(string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                _inner.Write(value);
                Last = value[^1];
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            if (count > 0)
            {
                _inner.Write(buffer, index, count);
                Last = buffer[index + count - 1];
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            if (!buffer.IsEmpty)
            {
                _inner.Write(buffer);
                Last = buffer[^1];
            }
        }

        public override void Flush() => _inner.Flush();
    }
}
