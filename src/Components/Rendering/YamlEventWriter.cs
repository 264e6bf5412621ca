using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Components.Rendering;

/// <summary>
/// Writes one implicit YAML document straight to a <see cref="TextWriter"/>, event by event, with two-space indents,
/// no line folding, LF line endings and a final newline. It writes the bytes YamlDotNet's <c>Emitter</c> writes for
/// the same events with those settings (so programs keep their bytes, and <see cref="YamlWriter"/> output matches it),
/// without an event object or a scalar analysis allocated per scalar, which made the emitter most of a render's cost.
/// <c>YamlEventWriterTests</c> checks that equivalence against YamlDotNet on generated documents and awkward strings.
/// </summary>
/// <remarks>
/// The subset the renderer needs: block and flow mappings and sequences (empty ones as <c>{}</c>/<c>[]</c>), scalar
/// keys, plain, single- and double-quoted scalars on one line, and comment lines above a mapping key. Text with line
/// breaks is written double-quoted by the callers (<see cref="YamlScalars.MustQuote"/>); asking for it plain is refused.
/// </remarks>
internal sealed class YamlEventWriter
{
    // YamlDotNet's emitter writes a key longer than this (or holding a line break) as an explicit "? key" entry.
    private const int MaxSimpleKeyLength = 1024;
    private const int IndentWidth = 2;
    private const string Spaces = "                                                                                ";

    private readonly TextWriter _output;

    // The open collections, innermost last. Frames are structs in an array that grows as needed: a program opens a
    // collection for nearly every resource, property map and list, and a frame object per collection was half of a
    // render's allocations.
    private Frame[] _frames = new Frame[16];
    private int _depth;

    // Text waits here and goes to the output in blocks: a program is millions of short writes, and TextWriter calls
    // per character and per indent space held about a tenth of rendering's profile samples. Finish hands over the rest.
    private readonly char[] _buffer = new char[8192];
    private int _buffered;

    // The emitter's layout state: the column, whether the last thing written was white space or indentation, the
    // current indent (-1 before the root node) and how deep inside flow collections the writer is.
    private int _column;
    private bool _whitespace = true;
    private bool _indentation = true;
    private int _indent = -1;
    private int _flowLevel;
    private char _last;

    // Whether the last non-empty scalar held a single quote. YamlDotNet's emitter keeps this from the scalar before
    // when it analyses an empty one, which decides between '' and "" for it; kept here so the bytes stay the same.
    private bool _lastHadSingleQuote;

    // A collection whose start was announced but not written (when _hasPending): an empty one is written in flow
    // style ({} or []).
    private Frame _pending;
    private bool _hasPending;

    /// <summary>Starts the document on <paramref name="output"/>; line breaks are LF whatever its <see cref="TextWriter.NewLine"/>.</summary>
    public YamlEventWriter(TextWriter output)
    {
        _output = output;
    }

    /// <summary>A scalar in the given style.</summary>
    public void Scalar(ReadOnlySpan<char> value, ScalarStyle style) =>
        Scalar(value, style, style == ScalarStyle.DoubleQuoted ? default : ScalarShape.Of(value));

    private void Scalar(ReadOnlySpan<char> value, ScalarStyle style, ScalarShape shape)
    {
        OpenPending();
        var (_, isSimpleKey) = BeforeNode(isScalar: true, value, shape);
        WriteScalar(value, style, shape, isSimpleKey);
        AfterNode();
    }

    /// <summary>
    /// A string: plain when YAML would read it back as the same string, double-quoted otherwise. Text the caller
    /// assembles (references, interpolations, numbers) comes as a span, so it needs no string of its own.
    /// </summary>
    public void String(ReadOnlySpan<char> value)
    {
        if (YamlScalars.IsWord(value))
        {
            // Most strings of a program: one scan of the text decides both the quoting and the shape.
            if (YamlScalars.IsReservedWord(value))
            {
                Scalar(value, ScalarStyle.DoubleQuoted, default);
            }
            else
            {
                Scalar(value, ScalarStyle.Any, ScalarShape.Word);
            }

            return;
        }

        Scalar(value, YamlScalars.MustQuote(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);
    }

    /// <summary>A plain scalar (<c>true</c>, <c>null</c>, a number).</summary>
    public void Plain(ReadOnlySpan<char> value) => Scalar(value, ScalarStyle.Plain);

    /// <summary>A double-quoted scalar.</summary>
    public void Quoted(ReadOnlySpan<char> value) => Scalar(value, ScalarStyle.DoubleQuoted);

    /// <summary>Opens a mapping (block unless <paramref name="style"/> says flow).</summary>
    public void BeginMapping(MappingStyle style = MappingStyle.Any) => Begin(isMapping: true, style == MappingStyle.Flow);

    /// <summary>Closes the innermost mapping.</summary>
    public void EndMapping() => End(isMapping: true);

    /// <summary>Opens a sequence (block unless <paramref name="style"/> says flow).</summary>
    public void BeginSequence(SequenceStyle style = SequenceStyle.Any) => Begin(isMapping: false, style == SequenceStyle.Flow);

    /// <summary>Closes the innermost sequence.</summary>
    public void EndSequence() => End(isMapping: false);

    /// <summary><c># …</c> lines, one per line of <paramref name="text"/>, written above the next mapping key.</summary>
    public void Comment(string text)
    {
        OpenPending();
        if (_depth == 0 || _frames[_depth - 1] is not { IsMapping: true, IsFlow: false, ExpectsValue: false })
        {
            throw new InvalidOperationException("A comment is written above a key of a block mapping.");
        }

        foreach (var line in text.Split('\n'))
        {
            WriteIndent();
            Write("# ");
            Write(line);
            WriteBreak();
        }

        _indentation = true;
    }

    /// <summary>Ends the document and makes sure the text ends with a newline.</summary>
    public void Finish()
    {
        if (_depth > 0 || _hasPending)
        {
            throw new InvalidOperationException("A mapping or sequence is still open.");
        }

        // The end of an implicit document: back to the left margin on a new line.
        _indent = -1;
        WriteIndent();
        if (_last != '\n')
        {
            WriteRaw('\n');
        }

        FlushBuffer();
        _output.Flush();
    }

    private void Begin(bool isMapping, bool flow)
    {
        OpenPending();
        var (isMappingContext, _) = BeforeNode(isScalar: false, default, default);
        _pending = new Frame(isMapping, flow || _flowLevel > 0, _indent, isMappingContext);
        _hasPending = true;
    }

    private void End(bool isMapping)
    {
        if (_hasPending)
        {
            // Nothing inside: the emitter writes an empty collection in flow style, whatever style was asked for.
            _hasPending = false;
            if (_pending.IsMapping != isMapping)
            {
                throw new InvalidOperationException("The collection closed is not the one opened last.");
            }

            WriteIndicator(isMapping ? "{" : "[", needWhitespace: true, whitespace: true, indentation: false);
            WriteIndicator(isMapping ? "}" : "]", needWhitespace: false, whitespace: false, indentation: false);
            AfterNode();
            return;
        }

        if (_depth == 0 || _frames[_depth - 1].IsMapping != isMapping || _frames[_depth - 1].ExpectsValue)
        {
            throw new InvalidOperationException("The collection closed is not the one opened last, or a key has no value.");
        }

        var frame = _frames[--_depth];

        _indent = frame.OuterIndent;
        if (frame.IsFlow)
        {
            _flowLevel--;
            WriteIndicator(isMapping ? "}" : "]", needWhitespace: false, whitespace: false, indentation: false);
        }

        AfterNode();
    }

    // Writes the collection announced last, now that something goes inside it.
    private void OpenPending()
    {
        if (!_hasPending)
        {
            return;
        }

        var frame = _pending;
        _hasPending = false;
        if (frame.IsFlow)
        {
            WriteIndicator(frame.IsMapping ? "{" : "[", needWhitespace: true, whitespace: true, indentation: false);
            _indent = _indent < 0 ? IndentWidth : _indent + IndentWidth;
            _flowLevel++;
        }
        else if (frame.IsMapping)
        {
            _indent = _indent < 0 ? 0 : _indent + IndentWidth;
        }
        else
        {
            // A block sequence that is a mapping's value starts at the key's column ("key:\n- item").
            var indentless = frame.IsMappingContext && !_indentation;
            _indent = _indent < 0 ? 0 : indentless ? _indent : _indent + IndentWidth;
        }

        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
        }

        _frames[_depth++] = frame;
    }

    // What the enclosing collection writes before a node, and the context the node is written in.
    private (bool IsMappingContext, bool IsSimpleKey) BeforeNode(bool isScalar, ReadOnlySpan<char> key, ScalarShape shape)
    {
        if (_depth == 0)
        {
            return (false, false);
        }

        // A reference into the array: the frame's first/key/value state is updated in place.
        ref var frame = ref _frames[_depth - 1];

        if (!frame.IsMapping)
        {
            if (frame.IsFlow)
            {
                if (!frame.IsFirst)
                {
                    WriteIndicator(",", needWhitespace: false, whitespace: false, indentation: false);
                }
            }
            else
            {
                WriteIndent();
                WriteIndicator("-", needWhitespace: true, whitespace: false, indentation: true);
            }

            frame.IsFirst = false;
            return (false, false);
        }

        if (frame.ExpectsValue)
        {
            frame.ExpectsValue = false;
            if (!frame.KeyIsSimple)
            {
                if (!frame.IsFlow)
                {
                    WriteIndent();
                }

                WriteIndicator(":", needWhitespace: true, whitespace: false, indentation: !frame.IsFlow);
            }
            else if (frame.IsFlow)
            {
                WriteIndicator(":", needWhitespace: false, whitespace: false, indentation: false);
            }

            return (true, false);
        }

        if (!isScalar)
        {
            throw new InvalidOperationException("Mapping keys are scalars.");
        }

        if (frame.IsFlow)
        {
            if (!frame.IsFirst)
            {
                WriteIndicator(",", needWhitespace: false, whitespace: false, indentation: false);
            }
        }
        else
        {
            WriteIndent();
        }

        frame.IsFirst = false;
        frame.ExpectsValue = true;
        frame.KeyIsSimple = key.Length <= MaxSimpleKeyLength && !(shape.IsMultiline || (shape == default && key.IndexOfAny(Breaks) >= 0));
        if (!frame.KeyIsSimple)
        {
            WriteIndicator("?", needWhitespace: true, whitespace: false, indentation: !frame.IsFlow);
        }

        return (true, frame.KeyIsSimple);
    }

    private void AfterNode()
    {
        if (_depth > 0 && _frames[_depth - 1] is { IsMapping: true, ExpectsValue: true, KeyIsSimple: true, IsFlow: false })
        {
            WriteIndicator(":", needWhitespace: false, whitespace: false, indentation: false);
        }
    }

    private void WriteScalar(ReadOnlySpan<char> value, ScalarStyle requested, ScalarShape shape, bool isSimpleKey)
    {
        switch (Style(value, requested, shape, isSimpleKey))
        {
            case ScalarStyle.Plain:
                if (!_whitespace)
                {
                    Write(' ');
                }

                Write(value);
                break;
            case ScalarStyle.SingleQuoted:
                WriteIndicator("'", needWhitespace: true, whitespace: false, indentation: false);
                WriteSingleQuotedText(value);
                WriteIndicator("'", needWhitespace: false, whitespace: false, indentation: false);
                break;
            default:
                WriteIndicator("\"", needWhitespace: true, whitespace: false, indentation: false);
                WriteDoubleQuotedText(value);
                WriteIndicator("\"", needWhitespace: false, whitespace: false, indentation: false);
                break;
        }

        _whitespace = false;
        _indentation = false;
    }

    // The emitter's choice: the style asked for when the text allows it in this context, else single-quoted when
    // that can hold it, else double-quoted (which holds anything).
    private ScalarStyle Style(ReadOnlySpan<char> value, ScalarStyle requested, ScalarShape shape, bool isSimpleKey)
    {
        if (requested == ScalarStyle.DoubleQuoted)
        {
            _lastHadSingleQuote = value.Length == 0 ? _lastHadSingleQuote : value.Contains('\'');
            return requested;
        }

        if (value.Length == 0)
        {
            shape = shape with { HasSingleQuotes = _lastHadSingleQuote };
        }
        else
        {
            _lastHadSingleQuote = shape.HasSingleQuotes;
        }

        var style = requested;
        if (style == ScalarStyle.Any)
        {
            style = shape.IsMultiline ? ScalarStyle.Folded : ScalarStyle.Plain;
        }

        if (style == ScalarStyle.Plain)
        {
            if (_flowLevel != 0 ? !shape.FlowPlainAllowed : !shape.BlockPlainAllowed)
            {
                style = shape.SingleQuotedAllowed && !shape.HasSingleQuotes ? ScalarStyle.SingleQuoted : ScalarStyle.DoubleQuoted;
            }

            if (value.Length == 0 && (_flowLevel != 0 || isSimpleKey))
            {
                style = ScalarStyle.SingleQuoted;
            }
        }

        if (style == ScalarStyle.SingleQuoted && !shape.SingleQuotedAllowed)
        {
            style = ScalarStyle.DoubleQuoted;
        }

        if (style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            if (_flowLevel != 0 || isSimpleKey || !shape.BlockAllowed)
            {
                return ScalarStyle.DoubleQuoted;
            }

            throw new NotSupportedException("Text with line breaks is written double-quoted (YamlScalars.MustQuote), not as a block scalar.");
        }

        return style;
    }

    private void WriteSingleQuotedText(ReadOnlySpan<char> value)
    {
        // Single-quoted text never holds a line break here: that text has no plain form, and MustQuote quotes it.
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (IsBreak(value[i]))
            {
                throw new NotSupportedException("Text with line breaks is written double-quoted.");
            }

            if (value[i] == '\'')
            {
                Write(value[start..(i + 1)]);
                start = i;
            }
        }

        Write(value[start..]);
    }

    private void WriteDoubleQuotedText(ReadOnlySpan<char> value)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsPrintable(c) && !IsBreak(c) && c is not '"' and not '\\')
            {
                continue;
            }

            Write(value[start..i]);
            Write('\\');
            switch (c)
            {
                case '\0': Write('0'); break;
                case '\a': Write('a'); break;
                case '\b': Write('b'); break;
                case '\t': Write('t'); break;
                case '\n': Write('n'); break;
                case '\v': Write('v'); break;
                case '\f': Write('f'); break;
                case '\r': Write('r'); break;
                case '\x1B': Write('e'); break;
                case '"': Write('"'); break;
                case '\\': Write('\\'); break;
                case '\x85': Write('N'); break;
                case '\u2028': Write('L'); break;
                case '\u2029': Write('P'); break;
                default:
                    if (c <= 0xFF)
                    {
                        Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"x{(int)c:X2}"));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                        {
                            throw new ArgumentException("Text holds an unpaired UTF-16 surrogate.", nameof(value));
                        }

                        Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"U{char.ConvertToUtf32(c, value[i + 1]):X8}"));
                        i++;
                    }
                    else
                    {
                        Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"u{(int)c:X4}"));
                    }

                    break;
            }

            start = i + 1;
        }

        Write(value[start..]);
    }

    private void WriteIndicator(string indicator, bool needWhitespace, bool whitespace, bool indentation)
    {
        if (needWhitespace && !_whitespace)
        {
            Write(' ');
        }

        Write(indicator);
        _whitespace = whitespace;
        _indentation &= indentation;
    }

    // A new line unless the writer already stands at the indent with only indentation before it, then spaces to it.
    private void WriteIndent()
    {
        var indent = Math.Max(_indent, 0);
        if (!_indentation || _column > indent || (_column == indent && !_whitespace))
        {
            WriteBreak();
        }

        if (_column < indent)
        {
            var spaces = indent - _column;
            Write(spaces <= Spaces.Length ? Spaces.AsSpan(0, spaces) : new string(' ', spaces));
        }

        _whitespace = true;
        _indentation = true;
    }

    private void WriteBreak()
    {
        WriteRaw('\n');
        _column = 0;
    }

    private void Write(char value)
    {
        WriteRaw(value);
        _column++;
    }

    private void Write(ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            Append(text);
            _last = text[^1];
            _column += text.Length;
        }
    }

    private void WriteRaw(char value)
    {
        if (_buffered == _buffer.Length)
        {
            FlushBuffer();
        }

        _buffer[_buffered++] = value;
        _last = value;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (text.Length > _buffer.Length - _buffered)
        {
            FlushBuffer();
            if (text.Length > _buffer.Length)
            {
                _output.Write(text);
                return;
            }
        }

        text.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += text.Length;
    }

    private void FlushBuffer()
    {
        _output.Write(_buffer, 0, _buffered);
        _buffered = 0;
    }

    // YAML's printable set, as the emitter tests it (UTF-16 code units; surrogates are not printable on their own).
    internal static bool IsPrintable(char c) =>
        c is '\t' or '\n' or '\r' or '\x85' || c is >= ' ' and <= '~' || c is >= '\xA0' and <= '\uD7FF' || c is >= '\uE000' and <= '\uFFFD';

    internal static bool IsBreak(char c) => c is '\r' or '\n' or '\x85' or '\u2028' or '\u2029';

    private static readonly System.Buffers.SearchValues<char> Breaks = System.Buffers.SearchValues.Create("\r\n\x85\u2028\u2029");

    // A struct kept in _frames and changed through references into that array (see BeforeNode).
    private struct Frame(bool isMapping, bool isFlow, int outerIndent, bool isMappingContext)
    {
        public bool IsMapping { get; } = isMapping;

        public bool IsFlow { get; } = isFlow;

        /// <summary>The indent to return to when the collection ends.</summary>
        public int OuterIndent { get; } = outerIndent;

        /// <summary>Whether the collection is a mapping's key or value (a block sequence there is not indented).</summary>
        public bool IsMappingContext { get; } = isMappingContext;

        public bool IsFirst { get; set; } = true;

        public bool ExpectsValue { get; set; }

        public bool KeyIsSimple { get; set; }
    }
}

/// <summary>
/// What YamlDotNet's emitter learns about a scalar's text before choosing its style: where it may be plain (outside
/// or inside flow collections), whether single quotes can hold it, whether it spans lines. The rules are the YAML
/// spec's indicator rules as that emitter applies them (a leading <c>-</c>, <c>?</c> or <c>:</c> followed by a space,
/// <c>": "</c> and <c>" #"</c> anywhere, flow indicators inside flow collections, leading or trailing blanks).
/// </summary>
internal readonly record struct ScalarShape(
    bool FlowPlainAllowed, bool BlockPlainAllowed, bool SingleQuotedAllowed, bool BlockAllowed, bool IsMultiline, bool HasSingleQuotes)
{
    private static readonly ScalarShape Empty = new(false, false, true, false, false, false);
    /// <summary>The shape of a <see cref="YamlScalars.IsWord">word</see>: every style allows it.</summary>
    public static readonly ScalarShape Word = new(true, true, true, true, false, false);

    // Letters, digits and the punctuation that is never an indicator inside a scalar: most names, types, images and
    // paths of a program are only these, and then (starting with a letter or digit) every style allows them.
    private static readonly AsciiSet WordCharacters = new("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./");

    // Printable ASCII except the blank and the single quote; and the characters that are flow indicators after the first.
    private static readonly AsciiSet Visible = new(
        string.Concat(Enumerable.Range('!', '~' - '!' + 1).Select(c => (char)c).Where(c => c != '\'')));

    private static readonly AsciiSet FlowIndicators = new(",?[]{}:");

    public static ScalarShape Of(ReadOnlySpan<char> text)
    {
        if (text.Length == 0)
        {
            return Empty;
        }

        if (char.IsAsciiLetterOrDigit(text[0]) && WordCharacters.ContainsAll(text))
        {
            return Word;
        }

        if ((char.IsAsciiLetterOrDigit(text[0]) || text[0] is '$' or '/' or '_') && Visible.ContainsAll(text))
        {
            // Visible ASCII without a quote, starting with nothing the first character's rules look at: no blank, break
            // or special character, so only flow indicators (",?[]{}:" after the first character) and a ':' at the
            // end (followed by the end, as if by a blank) matter. Types (a:b/c:D) and references (${a.b}) take this way.
            var flow = FlowIndicators.ContainsAny(text[1..]);
            return new ScalarShape(
                FlowPlainAllowed: !flow, BlockPlainAllowed: text[^1] != ':', SingleQuotedAllowed: true, BlockAllowed: true, IsMultiline: false, HasSingleQuotes: false);
        }

        var flowIndicators = text.StartsWith("---") || text.StartsWith("...");
        var blockIndicators = flowIndicators;
        bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false, leadingQuote = false;
        bool breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false, lineOfSpaces = false;
        bool lineBreaks = false, special = false, singleQuotes = false, linesOfSpaces = false;
        var precededByWhitespace = true;
        var last = text.Length - 1;
        for (var i = 0; i <= last; i++)
        {
            var c = text[i];
            var followedByWhitespace = IsBlankBreakOrEnd(text, i + 1);
            if (i == 0)
            {
                if (c is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '"' or '%' or '@' or '`' or '\'')
                {
                    flowIndicators = blockIndicators = true;
                    leadingQuote = singleQuotes = c == '\'';
                }

                if (c is '?' or ':')
                {
                    flowIndicators = true;
                    blockIndicators |= followedByWhitespace;
                }

                if (c == '-' && followedByWhitespace)
                {
                    flowIndicators = blockIndicators = true;
                }
            }
            else
            {
                if (c is ',' or '?' or '[' or ']' or '{' or '}')
                {
                    flowIndicators = true;
                }

                if (c == ':')
                {
                    flowIndicators = true;
                    blockIndicators |= followedByWhitespace;
                }

                if (c == '#' && precededByWhitespace)
                {
                    flowIndicators = blockIndicators = true;
                }

                singleQuotes |= c == '\'';
            }

            special |= !YamlEventWriter.IsPrintable(c);
            var isBreak = YamlEventWriter.IsBreak(c);
            lineBreaks |= isBreak;
            if (c == ' ')
            {
                leadingSpace |= i == 0;
                trailingSpace |= i == last;
                if (previousBreak)
                {
                    breakSpace = lineOfSpaces = true;
                }

                previousSpace = true;
                previousBreak = false;
            }
            else if (isBreak)
            {
                leadingBreak |= i == 0;
                trailingBreak |= i == last;
                spaceBreak |= previousSpace;
                linesOfSpaces |= lineOfSpaces;
                previousSpace = false;
                previousBreak = true;
            }
            else
            {
                previousSpace = previousBreak = lineOfSpaces = false;
            }

            precededByWhitespace = IsBlankBreakOrEnd(text, i);
        }

        var plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || leadingQuote || breakSpace || spaceBreak || special || lineBreaks);
        return new ScalarShape(
            FlowPlainAllowed: plain && !flowIndicators,
            BlockPlainAllowed: plain && !blockIndicators,
            SingleQuotedAllowed: !(breakSpace || spaceBreak || special),
            BlockAllowed: !(trailingSpace || linesOfSpaces),
            IsMultiline: lineBreaks,
            HasSingleQuotes: singleQuotes);
    }

    // A space, tab, line break or NUL, or past the end (the emitter reads NUL there).
    private static bool IsBlankBreakOrEnd(ReadOnlySpan<char> text, int index) =>
        index >= text.Length || text[index] is ' ' or '\t' or '\0' || YamlEventWriter.IsBreak(text[index]);
}
