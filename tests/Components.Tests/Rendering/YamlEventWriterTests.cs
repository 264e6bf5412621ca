using System.Globalization;
using CsCheck;
using Platform.Components.Rendering;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Platform.Components.Tests.Rendering;

/// <summary>
/// <see cref="YamlEventWriter"/> writes what YamlDotNet's <see cref="Emitter"/> writes for the same events (two-space
/// indents, no folding, one implicit document), so replacing the emitter changed no program's bytes: random documents
/// and awkward text are written by both and compared character for character.
/// </summary>
public sealed class YamlEventWriterTests
{
    // Indicators, quotes, blanks, line breaks, controls, non-ASCII, astral characters, YAML 1.1 words: every rule
    // of the emitter's style choice and of double-quoted escaping has a character here.
    private static readonly Gen<string> Awkward = Gen.OneOf(
        Gen.String[Gen.Char["ab -:#?,[]{}&*!|>'\"%@`\\$.\t\n\r\u0085\u00a0\u2028\u2029\ufeff\u0007\u001b\u0000é✓\ud83d\ude00~"], 0, 10],
        Gen.OneOf<string>("", " ", "-", "- x", "-x", "? y", "?", ":", "a: b", "a:b", "a #b", "a#b", "---", "...", "--- x", "'q'", "it's",
            "true", "null", "~", "0755", "1e3", ".inf", "${a.b}", "x ", " x", "a\n b", "a \nb", "\ud83d\ude00", "\udc00x", "k\u0085"));

    // Text with no line break: asked for plain (or any style), the emitter never needs a block scalar for it.
    private static readonly Gen<string> OneLine = Awkward.Where(t => !t.Any(YamlEventWriter.IsBreak));

    private static readonly Gen<string> LongKey = Gen.Int[1000, 1100].Select(n => new string('k', n));

    private abstract record Node;

    private sealed record Text(string Value, ScalarStyle Style) : Node;

    private sealed record Sequence(Node[] Items, bool Flow) : Node;

    private sealed record Mapping((string Key, string? Comment, Node Value)[] Entries, bool Flow) : Node;

    private static readonly Gen<Node> Scalar = Gen.Frequency(
        (3, Awkward.Select(t => (Node)new Text(t, AsString))),
        (2, Awkward.Select(t => (Node)new Text(t, ScalarStyle.DoubleQuoted))),
        (2, OneLine.Select(t => (Node)new Text(t, ScalarStyle.Any))),
        (1, OneLine.Select(t => (Node)new Text(t, ScalarStyle.Plain))),
        (1, OneLine.Select(t => (Node)new Text(t, ScalarStyle.SingleQuoted))));

    // YamlEventWriter.String: plain when YAML reads it back as the same string, else double-quoted.
    private const ScalarStyle AsString = (ScalarStyle)(-1);

    private static readonly Gen<string> Key = Gen.Frequency((8, Awkward), (1, LongKey));

    private static readonly Gen<string?> CommentText = Gen.Frequency(
        (4, Gen.Const((string?)null)),
        (1, Gen.String[Gen.Char["abc #:-'"], 0, 8].Select(t => (string?)t)),
        (1, Gen.Const<string?>("two\nlines")));

    private static Gen<Node> Tree(bool flow) => Gen.Recursive<Node>((depth, node) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Gen.Select(node.Array[0, 4], Gen.Bool).Select((items, f) => (Node)new Sequence(items, f || flow))),
            (1, Gen.Select(Gen.Select(Key, CommentText, node).Array[0, 4], Gen.Bool).Select((entries, f) => (Node)new Mapping(entries, f || flow)))));

    private static readonly Gen<Node> Document = Gen.Select(Gen.Select(Key, CommentText, Tree(flow: false)).Array[0, 6], Gen.Bool)
        .Select((entries, flow) => (Node)new Mapping(entries, flow));

    [Fact]
    public void Random_documents_are_written_as_YamlDotNet_writes_them()
    {
        Document.Sample(AssertSameText, iter: 3000);
    }

    [Fact]
    public void Every_awkward_text_is_styled_and_escaped_as_YamlDotNet_does_as_key_value_and_item()
    {
        Gen.Select(Awkward, Gen.OneOf(Gen.Const(AsString), Gen.Const(ScalarStyle.DoubleQuoted))).Sample((text, style) =>
        {
            var value = new Text(text, style);
            Node document = new Mapping(
            [
                (text, null, value),
                ("list", null, new Sequence([value, new Sequence([value], Flow: true)], Flow: false)),
                ("flow", null, new Mapping([(text, null, value)], Flow: true)),
            ], Flow: false);
            AssertSameText(document);
        }, iter: 5000);
    }

    [Fact]
    public void A_program_shaped_document_keeps_its_exact_text()
    {
        // A hand-checked anchor, so the comparison above is not two writers agreeing on something wrong.
        var document = new Mapping(
        [
            ("name", null, new Text("platform-demo", ScalarStyle.Any)),
            ("config", null, new Mapping([("db:password", "The database password.", new Mapping([("type", null, new Text("string", ScalarStyle.Any)), ("secret", null, new Text("true", ScalarStyle.Plain))], false))], false)),
            ("resources", null, new Mapping(
            [
                ("web", null, new Mapping(
                [
                    ("type", null, new Text("kubernetes:apps/v1:Deployment", ScalarStyle.Any)),
                    ("properties", null, new Mapping(
                    [
                        ("ports", null, new Sequence([new Mapping([("port", null, new Text("8080", ScalarStyle.Plain)), ("name", null, new Text("http", ScalarStyle.Any))], false)], false)),
                        ("labels", null, new Mapping([], false)),
                        ("note", null, new Text("a: b\n", ScalarStyle.DoubleQuoted)),
                    ], false)),
                    ("options", null, new Mapping([("dependsOn", null, new Sequence([new Text("${ns}", ScalarStyle.DoubleQuoted), new Text("${db}", ScalarStyle.DoubleQuoted)], true))], false)),
                ], false)),
            ], false)),
        ], false);

        Assert.Equal(
            """
            name: platform-demo
            config:
              # The database password.
              db:password:
                type: string
                secret: true
            resources:
              web:
                type: kubernetes:apps/v1:Deployment
                properties:
                  ports:
                  - port: 8080
                    name: http
                  labels: {}
                  note: "a: b\n"
                options:
                  dependsOn: ["${ns}", "${db}"]

            """.ReplaceLineEndings("\n"),
            WithWriter(document));
        Assert.Equal(WithYamlDotNet(document), WithWriter(document));
    }

    [Fact]
    public void Misuse_is_refused_rather_than_written_wrong()
    {
        var writer = new YamlEventWriter(new StringWriter());
        writer.BeginSequence();
        Assert.Throws<InvalidOperationException>(() => writer.Comment("not above a key"));
        Assert.Throws<InvalidOperationException>(writer.EndMapping);

        var unfinished = new YamlEventWriter(new StringWriter());
        unfinished.BeginMapping();
        Assert.Throws<InvalidOperationException>(unfinished.Finish);

        var multiline = new YamlEventWriter(new StringWriter());
        multiline.BeginMapping();
        multiline.String("k");
        Assert.Throws<NotSupportedException>(() => multiline.Scalar("two\nlines", ScalarStyle.Any));
    }

    // Text neither can write (an unpaired surrogate) must fail in both; anything else must be the same text.
    private static void AssertSameText(Node document)
    {
        string? expected = null, actual = null;
        Exception? expectedFailure = null, actualFailure = null;
        try
        {
            expected = WithYamlDotNet(document);
        }
        catch (YamlException e)
        {
            expectedFailure = e;
        }

        try
        {
            actual = WithWriter(document);
        }
        catch (ArgumentException e)
        {
            actualFailure = e;
        }

        Assert.Equal(expectedFailure is null, actualFailure is null);
        Assert.Equal(expected, actual);
    }

    private static string WithWriter(Node document)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new YamlEventWriter(output);
        Write(document, inFlow: false);
        writer.Finish();
        return output.ToString();

        void Write(Node node, bool inFlow)
        {
            switch (node)
            {
                case Text { Style: AsString } text:
                    writer.String(text.Value);
                    break;
                case Text text:
                    writer.Scalar(text.Value, text.Style);
                    break;
                case Sequence sequence:
                    writer.BeginSequence(sequence.Flow ? SequenceStyle.Flow : SequenceStyle.Any);
                    foreach (var item in sequence.Items)
                    {
                        Write(item, inFlow || sequence.Flow);
                    }

                    writer.EndSequence();
                    break;
                case Mapping mapping:
                    writer.BeginMapping(mapping.Flow ? MappingStyle.Flow : MappingStyle.Any);
                    foreach (var (key, comment, value) in Distinct(mapping))
                    {
                        // The emitter drops comments inside flow collections; the writer refuses them.
                        if (comment is not null && !inFlow && !mapping.Flow)
                        {
                            writer.Comment(comment);
                        }

                        writer.String(key);
                        Write(value, inFlow || mapping.Flow);
                    }

                    writer.EndMapping();
                    break;
            }
        }
    }

    private static IEnumerable<(string Key, string? Comment, Node Value)> Distinct(Mapping mapping) =>
        mapping.Entries.DistinctBy(e => e.Key).Select(e => (e.Key, mapping.Flow ? null : e.Comment, e.Value));

    /// <summary>The same events through YamlDotNet's emitter, with the settings the renderer used before (the oracle).</summary>
    private static string WithYamlDotNet(Node document)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(output, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(document, inFlow: false);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var text = output.ToString();
        return text.EndsWith('\n') ? text : text + "\n";

        void Emit(Node node, bool inFlow)
        {
            switch (node)
            {
                case Text { Style: AsString } text:
                    Scalar(text.Value, YamlScalars.MustQuote(text.Value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);
                    break;
                case Text text:
                    Scalar(text.Value, text.Style);
                    break;
                case Sequence sequence:
                    emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, sequence.Flow ? SequenceStyle.Flow : SequenceStyle.Any));
                    foreach (var item in sequence.Items)
                    {
                        Emit(item, inFlow || sequence.Flow);
                    }

                    emitter.Emit(new SequenceEnd());
                    break;
                case Mapping mapping:
                    emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, mapping.Flow ? MappingStyle.Flow : MappingStyle.Any));
                    foreach (var (key, comment, value) in Distinct(mapping))
                    {
                        if (comment is not null)
                        {
                            foreach (var line in comment.Split('\n'))
                            {
                                emitter.Emit(new Comment(line, false));
                            }
                        }

                        Scalar(key, YamlScalars.MustQuote(key) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);
                        Emit(value, inFlow || mapping.Flow);
                    }

                    emitter.Emit(new MappingEnd());
                    break;
            }
        }

        void Scalar(string value, ScalarStyle style) =>
            emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, value, style, true, true));
    }
}
