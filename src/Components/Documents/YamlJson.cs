using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Components.Documents;

/// <summary>
/// Reads YAML or JSON text into one JSON tree, so specs and settings have one schema whichever syntax users write.
/// YAML plain scalars keep YAML 1.2 core-schema meaning (numbers, booleans, null); quoted scalars stay strings.
/// </summary>
/// <remarks>
/// Both syntaxes are read as a stream of events into the tree with an explicit stack, never recursively, and the
/// limits (<see cref="MaxDepth"/>, <see cref="MaxNodes"/>) are checked on every event while reading: a hostile
/// document (nested a hundred thousand levels deep, or an alias bomb) is refused after a few dozen levels or a
/// bounded number of values, before it can exhaust the stack or memory.
/// </remarks>
internal static class YamlJson
{
    /// <summary>Deepest nesting a document may have: specs need a handful of levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most values a document may hold or expand to, so aliases cannot multiply a small text into a huge tree.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>
    /// Writes a JSON tree as block-style YAML that <see cref="Parse"/> reads back to the same tree: a string is quoted
    /// only when YAML would read it as something else (a number, a bool, null) or cannot hold it plain.
    /// </summary>
    public static string Write(JsonNode? root)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith('\n') ? text : text + "\n";
    }

    private static void Emit(Emitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    emitter.Emit(StringScalar(key));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in list)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                emitter.Emit(StringScalar(value.GetValue<string>()));
                break;
            default:
                // Numbers and booleans as their JSON text, which YAML's core schema reads back as the same value.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, node.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static Scalar StringScalar(string text)
    {
        // Plain only when this reader would read the plain text back as that same string; the emitter itself picks
        // quoting where plain text cannot hold it (indicators, leading spaces, line breaks).
        var plain = ConvertScalar(ScalarStyle.Plain, text) is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == text;
        return new Scalar(AnchorName.Empty, TagName.Empty, text, plain ? ScalarStyle.Any : ScalarStyle.DoubleQuoted, true, true);
    }

    /// <summary>Parses <paramref name="text"/> (JSON when it starts with '{' or '[', YAML otherwise).</summary>
    /// <exception cref="DocumentFormatException">
    /// The text is not well-formed, nests deeper than <see cref="MaxDepth"/>, holds more than <see cref="MaxNodes"/>
    /// values or an invalid escape; the message names the line and column, <see cref="DocumentFormatException.Path"/>
    /// where in the document it happened.
    /// </exception>
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.AsSpan().TrimStart();
        return !start.IsEmpty && start[0] is '{' or '['
            ? new JsonTreeReader(text).Read()
            : new YamlTreeReader(text).Read();
    }

    // The serializer's and parser's messages append their own positions ("LineNumber: 0 | BytePositionInLine: 52",
    // "Path: $"); the exception carries one position, so those are cut.
    private static string FirstSentence(string message)
    {
        foreach (var marker in new[] { " LineNumber:", " Path:", " BytePositionInLine:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.Trim().TrimEnd('.', ' ');
    }

    /// <summary>The container being filled while reading, and where it sits in the document.</summary>
    private sealed class Frame(JsonNode node, string? anchor, int nodesBefore)
    {
        public JsonNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public int NodesBefore { get; } = nodesBefore;

        /// <summary>The next value's key (mappings) once read.</summary>
        public string? Key { get; set; }

        /// <summary>Deepest nesting below this container so far (a scalar child counts 0).</summary>
        public int Height { get; set; }
    }

    /// <summary>What both readers share: the stack, the limits, adding values, and paths for messages.</summary>
    private abstract class TreeBuilder
    {
        protected List<Frame> Stack { get; } = [];

        protected int Nodes { get; private set; }

        protected JsonNode? Root { get; private set; }

        protected bool HasRoot { get; private set; }

        /// <summary>Line and column (1-based) of the event or token being read.</summary>
        protected abstract (int Line, int Column) Where { get; }

        protected DocumentFormatException Fail(string message, Exception? inner = null) =>
            new(message, CurrentPath(), Where.Line, Where.Column, inner);

        protected void Count(int nodes = 1)
        {
            Nodes += nodes;
            if (Nodes > MaxNodes)
            {
                throw Fail($"The document holds or expands to more than {MaxNodes} values; split it or remove repeated aliases");
            }
        }

        protected void Open(JsonNode container, string? anchor)
        {
            if (Stack.Count >= MaxDepth)
            {
                throw Fail($"The document nests deeper than {MaxDepth} levels");
            }

            Count();
            Stack.Add(new Frame(container, anchor, Nodes - 1));
        }

        protected Frame Close()
        {
            var frame = Stack[^1];
            Stack.RemoveAt(Stack.Count - 1);
            Add(frame.Node, frame.Height + 1);
            return frame;
        }

        /// <summary>Adds a finished value (a scalar, a closed container or an expanded alias) to its parent.</summary>
        protected void Add(JsonNode? value, int height)
        {
            if (Stack.Count == 0)
            {
                Root = value;
                HasRoot = true;
                return;
            }

            var parent = Stack[^1];
            parent.Height = Math.Max(parent.Height, height);
            switch (parent.Node)
            {
                case JsonArray array:
                    array.Add(value);
                    break;
                case JsonObject map:
                    var key = parent.Key!;
                    parent.Key = null;
                    if (!map.TryAdd(key, value))
                    {
                        throw Fail($"Duplicate key '{key}'");
                    }

                    break;
            }
        }

        /// <summary>Where reading is, e.g. <c>spec.services[3].env</c>: the keys and indexes of the open containers.</summary>
        protected string CurrentPath()
        {
            var path = new StringBuilder();
            foreach (var frame in Stack)
            {
                switch (frame.Node)
                {
                    case JsonArray array:
                        path.Append(CultureInfo.InvariantCulture, $"[{array.Count}]");
                        break;
                    case JsonObject when frame.Key is { } key:
                        path.Append(path.Length == 0 ? "" : ".").Append(key);
                        break;
                }
            }

            return path.ToString();
        }

        /// <summary>Refuses text that is not valid UTF-16 (a lone surrogate from an escape such as <c>\ud800</c>).</summary>
        protected string Checked(string text)
        {
            var span = text.AsSpan();
            if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            {
                return text;
            }

            for (var i = 0; i < span.Length; i++)
            {
                if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(span[i]))
                {
                    throw Fail("A string holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair); write the character itself or a complete pair");
                }
            }

            return text;
        }
    }

    /// <summary>JSON, token by token (System.Text.Json's reader), strings decoded and checked as they are read.</summary>
    private sealed class JsonTreeReader(string text) : TreeBuilder
    {
        private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(text);
        private long _position;

        protected override (int Line, int Column) Where
        {
            get
            {
                var before = _utf8.AsSpan(0, (int)Math.Min(_position, _utf8.Length));
                var line = before.Count((byte)'\n') + 1;
                var column = before.Length - (before.LastIndexOf((byte)'\n') + 1) + 1;
                return (line, column);
            }
        }

        public JsonNode? Read()
        {
            // The reader's own depth limit sits above ours, so ours (with its path) speaks first.
            var reader = new Utf8JsonReader(_utf8, new JsonReaderOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                MaxDepth = MaxDepth + 2,
            });
            try
            {
                while (reader.Read())
                {
                    _position = reader.TokenStartIndex;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject:
                            Open(new JsonObject(), null);
                            break;
                        case JsonTokenType.StartArray:
                            Open(new JsonArray(), null);
                            break;
                        case JsonTokenType.EndObject or JsonTokenType.EndArray:
                            Close();
                            break;
                        case JsonTokenType.PropertyName:
                            Stack[^1].Key = Checked(String(ref reader));
                            break;
                        case JsonTokenType.String:
                            Count();
                            Add(JsonValue.Create(Checked(String(ref reader))), 0);
                            break;
                        case JsonTokenType.Number:
                            Count();
                            Add(Number(ref reader), 0);
                            break;
                        case JsonTokenType.True or JsonTokenType.False:
                            Count();
                            Add(JsonValue.Create(reader.TokenType == JsonTokenType.True), 0);
                            break;
                        case JsonTokenType.Null:
                            Count();
                            Add(null, 0);
                            break;
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new DocumentFormatException(
                    $"Invalid JSON: {FirstSentence(ex.Message)}",
                    CurrentPath(), (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1, ex);
            }

            return Root;
        }

        private string String(ref Utf8JsonReader reader)
        {
            try
            {
                return reader.GetString()!;
            }
            catch (InvalidOperationException ex)
            {
                // An escape that decodes to invalid UTF-16, such as a lone surrogate (\ud800).
                throw Fail("A string holds an escape that is not valid Unicode (such as a lone surrogate \\ud800); write the character itself or a complete surrogate pair", ex);
            }
        }

        private static JsonValue? Number(ref Utf8JsonReader reader) =>
            reader.TryGetInt64(out var whole) ? JsonValue.Create(whole)
            : reader.TryGetDecimal(out var fraction) ? JsonValue.Create(fraction)

            // Beyond long and decimal (1e400): keep the number as written; readers then refuse it by its field's rules.
            : JsonValue.Create(JsonElement.Parse(reader.ValueSpan));
    }

    /// <summary>YAML, event by event (YamlDotNet's parser), aliases expanded by copy within the limits.</summary>
    private sealed class YamlTreeReader(string text) : TreeBuilder
    {
        private readonly Dictionary<string, (JsonNode? Node, int Nodes, int Height)> _anchors = new(StringComparer.Ordinal);
        private Mark _mark = Mark.Empty;

        protected override (int Line, int Column) Where => ((int)_mark.Line, (int)_mark.Column);

        public JsonNode? Read()
        {
            var parser = new Parser(new StringReader(text));
            var documents = 0;
            try
            {
                while (Next(parser))
                {
                    var current = parser.Current!;
                    _mark = current.Start;
                    switch (current)
                    {
                        case DocumentStart when ++documents > 1:
                            throw Fail("The text holds several YAML documents; write one environment per file");
                        case MappingStart mapping:
                            ExpectValue();
                            Open(new JsonObject(), AnchorOf(mapping));
                            break;
                        case SequenceStart sequence:
                            ExpectValue();
                            Open(new JsonArray(), AnchorOf(sequence));
                            break;
                        case MappingEnd or SequenceEnd:
                            var frame = Close();
                            if (frame.Anchor is { } name)
                            {
                                _anchors[name] = (frame.Node, Nodes - frame.NodesBefore, frame.Height + 1);
                            }

                            break;
                        case Scalar scalar when Stack.Count > 0 && Stack[^1].Node is JsonObject && Stack[^1].Key is null:
                            Stack[^1].Key = Checked(scalar.Value);
                            break;
                        case Scalar scalar:
                            Count();
                            var value = ConvertScalar(scalar.Style, Checked(scalar.Value));
                            if (AnchorOf(scalar) is { } anchor)
                            {
                                _anchors[anchor] = (value, 1, 0);
                            }

                            Add(value, 0);
                            break;
                        case AnchorAlias alias:
                            Expand(alias);
                            break;
                    }
                }
            }
            catch (YamlException ex)
            {
                throw new DocumentFormatException(
                    $"Invalid YAML: {FirstSentence(ex.InnerException?.Message ?? ex.Message)}",
                    CurrentPath(), (int)ex.Start.Line, (int)ex.Start.Column, ex);
            }

            return HasRoot ? Root : null;
        }

        // YamlDotNet's scanner fails on some malformed text (a flow mapping left open before a block key) with an
        // InvalidOperationException instead of a YamlException: it is still the document's syntax error.
        private bool Next(Parser parser)
        {
            try
            {
                return parser.MoveNext();
            }
            catch (InvalidOperationException ex)
            {
                throw Fail("Invalid YAML: the text after this point cannot be read; an unclosed '{' or '[' is a common cause", ex);
            }
            catch (ArgumentException ex)
            {
                // A tag its parser cannot turn into a URI (`!!w+k`) throws ArgumentException from YamlDotNet's TagName,
                // not a YamlException (found by SpecPropertyTests, seed 7VqFG1qfzho1): the document's error all the same.
                throw Fail("Invalid YAML: a tag ('!' or '!!' before a value) here is not a valid URI; specs use no tags, so remove it or quote the value", ex);
            }
        }

        private static string? AnchorOf(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

        // A mapping's keys are plain text; a mapping or sequence in key position has no JSON form.
        private void ExpectValue()
        {
            if (Stack.Count > 0 && Stack[^1].Node is JsonObject && Stack[^1].Key is null)
            {
                throw Fail("Mapping keys must be plain strings");
            }
        }

        private void Expand(AnchorAlias alias)
        {
            var name = alias.Value.Value;
            if (Stack.Count > 0 && Stack[^1].Node is JsonObject && Stack[^1].Key is null)
            {
                throw Fail($"Mapping keys must be plain strings, not the alias *{name}");
            }

            if (!_anchors.TryGetValue(name, out var anchored))
            {
                throw Stack.Any(f => f.Anchor == name)
                    ? Fail($"The alias *{name} refers to a node that contains it, which would nest without end")
                    : Fail($"The alias *{name} refers to no anchor defined before it");
            }

            // The copy lands this deep and adds this many values: check both before copying anything.
            if (Stack.Count + anchored.Height > MaxDepth)
            {
                throw Fail($"The document nests deeper than {MaxDepth} levels once the alias *{name} is expanded");
            }

            Count(anchored.Nodes);
            Add(anchored.Node?.DeepClone(), anchored.Height);
        }
    }

    private static JsonValue? ConvertScalar(ScalarStyle style, string value)
    {
        if (style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when IsDecimal(value) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }

    private static bool IsDecimal(string value) =>
        value.Length > 0 && (char.IsDigit(value[0]) || value[0] is '-' or '+' or '.') &&
        value.All(c => char.IsDigit(c) || c is '.' or 'e' or 'E' or '-' or '+');
}

/// <summary>A YAML or JSON document that cannot be read: malformed, too deep, too large, or holding invalid text.</summary>
public sealed class DocumentFormatException : FormatException
{
    private readonly string? _reason;

    /// <summary>Creates the exception.</summary>
    public DocumentFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DocumentFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DocumentFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception, naming where in the document reading stopped.</summary>
    public DocumentFormatException(string message, string path, Exception? innerException)
        : base(message, innerException) => Path = path;

    /// <summary>Creates the exception, naming where in the document and where in the text reading stopped.</summary>
    public DocumentFormatException(string reason, string path, int line, int column, Exception? innerException)
        : base($"{reason.TrimEnd('.')} (line {line}, column {column}).", innerException)
    {
        _reason = reason.TrimEnd('.');
        Path = path;
        Line = line;
        Column = column;
    }

    /// <summary>Where in the document reading stopped, e.g. <c>spec.services[3].env</c>; empty at the top level.</summary>
    public string Path { get; } = "";

    /// <summary>What is wrong, without a position (the <see cref="Exception.Message"/> adds it).</summary>
    public string Reason => _reason ?? Message;

    /// <summary>The 1-based line reading stopped at, when known.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column reading stopped at, when known.</summary>
    public int? Column { get; }
}
