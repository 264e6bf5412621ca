using System.Text;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.Specs;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Tests.Rendering;

/// <summary>Reads rendered YAML back the way Pulumi does, for assertions.</summary>
internal static class PulumiYaml
{
    /// <summary>The document's root mapping, parsed with YamlDotNet.</summary>
    public static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Assert.Single(stream.Documents);
        return Assert.IsType<YamlMappingNode>(stream.Documents[0].RootNode);
    }

    /// <summary>
    /// The document as JSON, each plain scalar typed as Pulumi YAML types it (<see cref="GoYamlScalars"/>, yaml.v3's
    /// rules, not Platform's own reader's): a value the renderer should have quoted reads back as what Pulumi would see.
    /// </summary>
    public static JsonObject Json(string text) => Assert.IsType<JsonObject>(ToJson(Load(text)));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(e =>
            KeyValuePair.Create(Assert.IsType<YamlScalarNode>(e.Key).Value!, ToJson(e.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Tag.IsEmpty: true } plain => GoYamlScalars.Resolve(plain.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };

    public static YamlNode At(this YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var mapping = Assert.IsType<YamlMappingNode>(node);
            Assert.True(mapping.Children.ContainsKey(new YamlScalarNode(key)), $"No key '{key}' in {mapping}.");
            node = mapping[key];
        }

        return node;
    }

    public static string Scalar(this YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(node.At(path)).Value!;

    public static bool Has(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>One part of a Pulumi YAML string after interpolation parsing: literal text or a <c>${...}</c> access.</summary>
    public sealed record Part(string? Text, string? Access);

    /// <summary>
    /// Splits a string the way Pulumi YAML's interpolation parser does (<see cref="Testing.PulumiYamlInterpolation"/>):
    /// each non-empty literal text, and each access as written between <c>${</c> and its <c>}</c>.
    /// </summary>
    public static IReadOnlyList<Part> Interpolation(string value) =>
        [.. Testing.PulumiYamlInterpolation.Parse(value).SelectMany(p => (IEnumerable<Part>)[
            .. p.Text.Length > 0 ? [new Part(p.Text, null)] : Array.Empty<Part>(),
            .. p.Access is { } access ? [new Part(null, access.Text)] : Array.Empty<Part>()])];

    /// <summary>The literal text a Pulumi YAML string stands for; fails when it holds an interpolation.</summary>
    public static string Literal(string value)
    {
        var parts = Interpolation(value);
        Assert.All(parts, p => Assert.Null(p.Access));
        return string.Concat(parts.Select(p => p.Text));
    }
}
