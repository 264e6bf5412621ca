using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Components.Specs;

using Platform.Components.Tests.Testing;

namespace Platform.Components.Pulumi.Tests.Testing;

/// <summary>One resource of a Pulumi YAML program.</summary>
internal sealed record YamlResource(string Name, string Type, JsonObject Properties, JsonObject Options);

/// <summary>
/// A Pulumi YAML program read back, with an evaluator for its expressions as the YAML runtime would evaluate them
/// against the mocks' resource states: <c>${resource.path}</c> and <c>${configKey}</c> interpolation (a string that is
/// only one expression keeps the value's type), <c>fn::secret</c>, <c>fn::toJSON</c>, <c>fn::join</c> and
/// <c>fn::split</c>. Config values are the stack's text as the CLI hands it over, re-typed as Pulumi YAML does
/// (<see cref="PulumiYamlConfigRules.Retype"/>).
/// </summary>
internal sealed partial class YamlProgram
{
    private YamlProgram(ImmutableDictionary<string, YamlResource> resources, JsonObject config, JsonObject outputs)
    {
        Resources = resources;
        Config = config;
        Outputs = outputs;
    }

    public ImmutableDictionary<string, YamlResource> Resources { get; }

    public JsonObject Config { get; }

    public JsonObject Outputs { get; }

    public static YamlProgram Parse(string text)
    {
        var root = (JsonObject)YamlJson.Parse(text)!;
        var resources = ((JsonObject?)root["resources"] ?? []).ToImmutableDictionary(
            r => r.Key,
            r => new YamlResource(
                r.Key,
                r.Value!["type"]!.GetValue<string>(),
                (JsonObject?)r.Value["properties"]?.DeepClone() ?? [],
                (JsonObject?)r.Value["options"]?.DeepClone() ?? []),
            StringComparer.Ordinal);
        return new YamlProgram(resources, (JsonObject?)root["config"]?.DeepClone() ?? [], (JsonObject?)root["outputs"]?.DeepClone() ?? []);
    }

    /// <summary>The logical name an option such as <c>provider: ${k8s-provider}</c> refers to.</summary>
    public static string? ReferencedName(JsonNode? option) =>
        option is JsonValue v && v.TryGetValue(out string? text) && WholeExpression().Match(text) is { Success: true } m ? m.Groups["expr"].Value : null;

    /// <summary>The value of an expression tree and the paths where it is secret.</summary>
    public (JsonNode? Value, ImmutableSortedSet<string> Secrets) Evaluate(
        JsonNode? node,
        IReadOnlyDictionary<string, ImmutableDictionary<string, object>> states,
        Func<string, string?> configValue,
        string path = "")
    {
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        var value = Eval(node, path);
        return (value, secrets.ToImmutableSortedSet(StringComparer.Ordinal));

        JsonNode? Eval(JsonNode? n, string at)
        {
            switch (n)
            {
                case JsonObject o when o.Count == 1 && o.First().Key == "fn::secret":
                    {
                        var inner = Eval(o.First().Value, at);
                        secrets.RemoveWhere(s => Within(s, at));
                        secrets.Add(at);
                        return inner;
                    }

                case JsonObject o when o.Count == 1 && o.First().Key == "fn::toJSON":
                    {
                        var before = secrets.Count;
                        var inner = Eval(o.First().Value, at);
                        if (secrets.Count != before)
                        {
                            secrets.RemoveWhere(s => Within(s, at));
                            secrets.Add(at);
                        }

                        return JsonValue.Create(inner?.ToJsonString() ?? "null");
                    }

                case JsonObject o when o.Count == 1 && o.First().Key == "fn::join":
                    {
                        var args = (JsonArray)o.First().Value!;
                        var before = secrets.Count;
                        var separator = Eval(args[0], at)!.GetValue<string>();
                        var items = ((JsonArray)Eval(args[1], at)!).Select(Text);
                        if (secrets.Count != before)
                        {
                            secrets.RemoveWhere(s => Within(s, at));
                            secrets.Add(at);
                        }

                        return JsonValue.Create(string.Join(separator, items));
                    }

                case JsonObject o when o.Count == 1 && o.First().Key == "fn::split":
                    {
                        var args = (JsonArray)o.First().Value!;
                        var separator = Eval(args[0], at)!.GetValue<string>();
                        var source = Eval(args[1], at);
                        var parts = source is JsonValue text && text.GetValueKind() == JsonValueKind.String
                            ? text.GetValue<string>().Split(separator)
                            : throw new InvalidOperationException($"{at}: fn::split needs a string, got {source?.ToJsonString() ?? "null"}.");
                        return new JsonArray([.. parts.Select(p => (JsonNode?)JsonValue.Create(p))]);
                    }

                case JsonObject o when o.Any(p => p.Key.StartsWith("fn::", StringComparison.Ordinal)):
                    throw new NotSupportedException($"{at}: {o.First(p => p.Key.StartsWith("fn::", StringComparison.Ordinal)).Key} is not evaluated by this test.");
                case JsonObject o:
                    return new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Eval(p.Value, at.Length == 0 ? p.Key : $"{at}.{p.Key}"))).ToList());
                case JsonArray a:
                    return new JsonArray([.. a.Select((item, i) => Eval(item, $"{at}[{i}]"))]);
                case JsonValue v when v.TryGetValue(out string? text):
                    return Interpolate(text, at);
                default:
                    return n?.DeepClone();
            }
        }

        JsonNode? Interpolate(string text, string at)
        {
            if (WholeExpression().Match(text) is { Success: true } whole)
            {
                return Expression(whole.Groups["expr"].Value, at);
            }

            var result = new StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                if (text.AsSpan(i).StartsWith("$${"))
                {
                    result.Append("${");
                    i += 3;
                }
                else if (text.AsSpan(i).StartsWith("${"))
                {
                    var end = text.IndexOf('}', i);
                    result.Append(Text(Expression(text[(i + 2)..end], at)));
                    i = end + 1;
                }
                else
                {
                    result.Append(text[i++]);
                }
            }

            return JsonValue.Create(result.ToString());
        }

        JsonNode? Expression(string expression, string at)
        {
            var head = HeadName().Match(expression).Value;
            var rest = expression[head.Length..].TrimStart('.');
            if (Resources.ContainsKey(head))
            {
                if (rest == "id")
                {
                    return JsonValue.Create($"{head}-id");
                }

                return Navigate(PlanOracle.ToJson(states[head]), rest)?.DeepClone();
            }

            if (Config[head] is JsonObject declared)
            {
                if (declared["secret"]?.GetValue<bool>() == true)
                {
                    secrets.Add(at);
                }

                // A stack value reaches the program re-typed by Pulumi YAML, whatever the declaration says; a default
                // is a literal of the program.
                if (configValue(head) is { } text)
                {
                    return PulumiYamlConfigRules.Retype(text);
                }

                return declared["default"]?.DeepClone();
            }

            return expression switch
            {
                "pulumi.stack" => JsonValue.Create("test"),
                "pulumi.project" => JsonValue.Create(PulumiRun.Project),
                _ => throw new InvalidOperationException($"{at}: '${{{expression}}}' names no resource or config entry."),
            };
        }
    }

    private static bool Within(string path, string prefix) =>
        prefix.Length == 0 || path == prefix || path.StartsWith($"{prefix}.", StringComparison.Ordinal) || path.StartsWith($"{prefix}[", StringComparison.Ordinal);

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static JsonNode? Navigate(JsonNode? node, string path)
    {
        foreach (Match segment in PathSegment().Matches(path))
        {
            node = segment.Groups["index"].Success
                ? (node as JsonArray)?[int.Parse(segment.Groups["index"].Value, CultureInfo.InvariantCulture)]
                : (node as JsonObject)?[segment.Groups["key"].Success ? segment.Groups["key"].Value : segment.Groups["name"].Value];
        }

        return node;
    }

    [GeneratedRegex(@"^\$\{(?<expr>[^}]+)\}$")]
    private static partial Regex WholeExpression();

    [GeneratedRegex(@"^[^.\[]+")]
    private static partial Regex HeadName();

    [GeneratedRegex("""(?<name>[^.\[\]]+)|\[(?<index>\d+)\]|\["(?<key>[^"]+)"\]""")]
    private static partial Regex PathSegment();
}
