using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Platform.Components.Planning;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Rendering;

/// <summary>
/// Renders a resource plan as a Pulumi YAML program (<c>Pulumi.yaml</c>, <c>runtime: yaml</c>) plus the stack's
/// settings file. The renderer decides nothing about infrastructure; it only translates:
/// <list type="bullet">
/// <item>resources in plan order, with explicit providers as <c>pulumi:providers:*</c> resources pinned by
/// <c>options.version</c>, and <c>options.provider: ${provider}</c> on the rest;</item>
/// <item>references as <c>${resource.property}</c> (a string that is only the reference keeps the output's type),
/// config references as <c>${key}</c> (a list entry as <c>fn::split</c> of its joined text), secrets as
/// <c>fn::secret</c>, JSON documents as <c>fn::toJSON</c>, interpolations as one string, or <c>fn::join</c> with an
/// empty delimiter when a part is a secret or JSON;</item>
/// <item>config declared only with types both Pulumi YAML and the CLI accept, descriptions as comments, and stack
/// values encoded so Pulumi YAML reads back exactly the text the target holds (see <see cref="PulumiYamlConfig"/>);</item>
/// <item>components are not written: Pulumi YAML cannot declare local component types, so resources are top-level.</item>
/// </list>
/// The same plan always renders to the same bytes (LF line endings, final newline).
/// </summary>
public static class PulumiYamlRenderer
{
    /// <summary>
    /// The Pulumi project name of an environment: <c>platform-&lt;environment&gt;</c>. It depends only on the
    /// environment's name, which never changes for an environment, so its stack (named after the environment) keeps
    /// the same identity and URNs on every render; the prefix keeps it apart from other projects in a shared backend
    /// and from the .NET binding's <c>platform</c> project.
    /// </summary>
    public static string ProjectName(string environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        return $"platform-{environment}";
    }

    /// <summary>Renders <paramref name="plan"/>.</summary>
    /// <exception cref="ArgumentException">
    /// A value cannot be expressed in Pulumi YAML (a list or map inside a string interpolation), or a secret holds a
    /// literal value, which the program would carry in plain text.
    /// </exception>
    public static RenderedProgram Render(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var project = ProjectName(plan.Environment);
        var comments = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);
        return new RenderedProgram(
            project,
            plan.Environment,
            YamlWriter.Write(Program(plan, project, comments), comments),
            StackSettings(plan, project) is { } settings ? YamlWriter.Write(settings) : null,
            SecretKeys(plan),
            plan.UnsetConfigKeys,
            [.. plan.Config.Where(c => PulumiYamlConfig.Declaration(c.Type).IsList).Select(c => c.Key)]);
    }

    private static YamlMappingNode Program(ResourcePlan plan, string project, Dictionary<YamlNode, string> comments)
    {
        var lists = plan.Config.Where(c => PulumiYamlConfig.Declaration(c.Type).IsList).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var root = new YamlMappingNode
        {
            { "name", Str(project) },
            { "runtime", "yaml" },
            { "description", Str($"Environment {plan.Environment} ({plan.Tier.ToString().ToLowerInvariant()} tier, target {plan.Target}), rendered by Platform from its environment spec. Regenerate it instead of editing it.") },
        };

        if (!plan.Config.IsEmpty)
        {
            var config = new YamlMappingNode();
            foreach (var entry in plan.Config)
            {
                // Pulumi YAML warns on a `description` inside a config declaration, so it is a comment instead.
                var key = Key(entry.Key);
                if (entry.Description.Length > 0)
                {
                    comments[key] = entry.Description.ReplaceLineEndings(" ") +
                        (lists.Contains(entry.Key) ? $" A list: its items joined by \"{PulumiYamlConfig.ListDelimiter}\"." : "");
                }

                config.Add(key, ConfigDeclaration(entry));
            }

            root.Add("config", config);
        }

        var resources = new YamlMappingNode();
        foreach (var resource in plan.Resources)
        {
            resources.Add(Key(resource.Name), Resource(resource, lists));
        }

        root.Add("resources", resources);

        if (!plan.Outputs.IsEmpty)
        {
            var outputs = new YamlMappingNode();
            foreach (var output in plan.Outputs)
            {
                outputs.Add(Key(output.Name), Value(output.Value, lists));
            }

            root.Add("outputs", outputs);
        }

        return root;
    }

    private static YamlMappingNode ConfigDeclaration(PlanConfigEntry entry)
    {
        var (declared, isList) = PulumiYamlConfig.Declaration(entry.Type);
        var node = new YamlMappingNode { { "type", declared } };
        if (entry.Secret)
        {
            node.Add("secret", Plain("true"));
        }
        else if (entry.Default is { } value)
        {
            // Defaults of secret entries would sit in plain text in Pulumi.yaml, so only plain entries get one.
            node.Add("default", Typed(declared, isList, value, encode: false));
        }

        return node;
    }

    private static YamlMappingNode Resource(PlannedResource resource, IReadOnlySet<string> lists)
    {
        var node = new YamlMappingNode { { "type", Str(resource.Type) } };
        if (!resource.Inputs.Entries.IsEmpty)
        {
            var properties = new YamlMappingNode();
            foreach (var (key, value) in resource.Inputs.Entries)
            {
                // Top-level property names are literal in Pulumi YAML (never interpolated), so they are not escaped.
                properties.Add(Key(key), Value(value, lists));
            }

            node.Add("properties", properties);
        }

        var options = Options(resource.Options);
        if (options.Children.Count > 0)
        {
            node.Add("options", options);
        }

        return node;
    }

    private static YamlMappingNode Options(PlanResourceOptions options)
    {
        var node = new YamlMappingNode();
        if (options.Provider is { } provider)
        {
            node.Add("provider", Str(Symbol(provider, "")));
        }

        if (!options.DependsOn.IsEmpty)
        {
            // A flow list of quoted references, as Pulumi's docs write it: unquoted, "{" would open a flow mapping.
            node.Add("dependsOn", new YamlSequenceNode(options.DependsOn.Select(d => Quoted(Symbol(d, "")))) { Style = SequenceStyle.Flow });
        }

        if (options.Protect)
        {
            node.Add("protect", Plain("true"));
        }

        if (options.Version is { } version)
        {
            node.Add("version", Str(version));
        }

        if (!options.AdditionalSecretOutputs.IsEmpty)
        {
            node.Add("additionalSecretOutputs", new YamlSequenceNode(options.AdditionalSecretOutputs.Select(Str)));
        }

        if (options.DeleteBeforeReplace)
        {
            node.Add("deleteBeforeReplace", Plain("true"));
        }

        return node;
    }

    /// <summary>Translates a plan value to a Pulumi YAML expression; <paramref name="lists"/> are the list config keys.</summary>
    internal static YamlNode Value(PlanValue value, IReadOnlySet<string> lists) => value switch
    {
        PlanValue.NullValue => Plain("null"),
        PlanValue.Text text => Str(YamlScalars.EscapeLiteral(text.Value)),
        PlanValue.Number number => Plain(number.Value.ToString(CultureInfo.InvariantCulture)),
        PlanValue.Bool flag => Plain(flag.Value ? "true" : "false"),
        PlanValue.List list => new YamlSequenceNode(list.Items.Select(i => Value(i, lists))),
        PlanValue.Map map => Mapping(map, lists),
        PlanValue.Reference reference => Str(Symbol(reference.Resource, reference.Property)),
        // A list travels as joined text (no list config type is accepted by both Pulumi YAML and the CLI).
        PlanValue.ConfigReference config when lists.Contains(config.Key) =>
            Function("fn::split", new YamlSequenceNode(Quoted(PulumiYamlConfig.ListDelimiter), Str(Symbol(config.Key, "")))),
        PlanValue.ConfigReference config => Str(Symbol(config.Key, "")),
        PlanValue.Secret secret when !secret.Value.Walk().Any(v => v is PlanValue.Reference or PlanValue.ConfigReference) =>
            throw new ArgumentException("A secret with a literal value would sit in plain text in Pulumi.yaml; plans read secret values from stack config or other resources.", nameof(value)),
        PlanValue.Secret secret => Function("fn::secret", Value(secret.Value, lists)),
        PlanValue.Json json => Function("fn::toJSON", Value(json.Value, lists)),
        PlanValue.Interpolation interpolation => Interpolate(interpolation, lists),
        _ => throw new ArgumentException($"Unknown plan value {value.GetType().Name}.", nameof(value)),
    };

    private static YamlMappingNode Mapping(PlanValue.Map map, IReadOnlySet<string> lists)
    {
        var node = new YamlMappingNode();
        foreach (var (key, value) in map.Entries)
        {
            // Keys of nested objects are expressions in Pulumi YAML, so literal "${" in them is escaped too.
            node.Add(Key(YamlScalars.EscapeLiteral(key)), Value(value, lists));
        }

        return node;
    }

    private static YamlNode Interpolate(PlanValue.Interpolation interpolation, IReadOnlySet<string> lists)
    {
        var parts = Flatten(interpolation.Parts).ToList();
        if (parts.Any(p => p is PlanValue.Secret or PlanValue.Json))
        {
            // An interpolated string cannot hold a function call; fn::join can, and keeps a secret part secret.
            var items = parts.Select(p => p switch
            {
                PlanValue.Secret or PlanValue.Json or PlanValue.Reference or PlanValue.ConfigReference => Value(p, lists),
                _ => Str(YamlScalars.EscapeLiteral(LiteralText(p))),
            });
            return Function("fn::join", new YamlSequenceNode(Str(""), new YamlSequenceNode(items)));
        }

        var builder = new StringBuilder();
        for (var i = 0; i < parts.Count; i++)
        {
            switch (parts[i])
            {
                case PlanValue.Reference reference:
                    builder.Append(Symbol(reference.Resource, reference.Property));
                    break;
                case PlanValue.ConfigReference config:
                    builder.Append(Symbol(config.Key, ""));
                    break;
                default:
                    var next = i + 1 < parts.Count ? parts[i + 1] : null;
                    builder.Append(YamlScalars.EscapeLiteral(LiteralText(parts[i]), next is PlanValue.Reference or PlanValue.ConfigReference));
                    break;
            }
        }

        return Str(builder.ToString());
    }

    private static IEnumerable<PlanValue> Flatten(IEnumerable<PlanValue> parts) =>
        parts.SelectMany(p => p is PlanValue.Interpolation nested ? Flatten(nested.Parts) : [p]);

    private static string LiteralText(PlanValue part) => part switch
    {
        PlanValue.Text text => text.Value,
        PlanValue.Number number => number.Value.ToString(CultureInfo.InvariantCulture),
        PlanValue.Bool flag => flag.Value ? "true" : "false",
        PlanValue.NullValue => "",
        _ => throw new ArgumentException($"A {part.GetType().Name} cannot be part of a string interpolation.", nameof(part)),
    };

    /// <summary><c>${resource.property}</c>; the property path (<c>a.b[0].c</c>, <c>["k"]</c>) is kept verbatim.</summary>
    private static string Symbol(string name, string property) => property switch
    {
        "" => $"${{{name}}}",
        _ when property.StartsWith('[') => $"${{{name}{property}}}",
        _ => $"${{{name}.{property}}}",
    };

    private static YamlMappingNode Function(string name, YamlNode argument) => new() { { name, argument } };

    private static YamlMappingNode? StackSettings(ResourcePlan plan, string project)
    {
        var values = plan.StackConfig.Where(e => !e.Value.Secret).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var config = new YamlMappingNode();
        foreach (var (key, value) in values)
        {
            var (declared, isList) = PulumiYamlConfig.Declaration(plan.Config.FirstOrDefault(c => c.Key == key)?.Type ?? "string");
            config.Add(Key($"{project}:{key}"), Typed(declared, isList, value.Value, encode: true));
        }

        return new YamlMappingNode { { "config", config } };
    }

    private static ImmutableArray<string> SecretKeys(ResourcePlan plan) =>
        [.. plan.Config.Where(c => c.Secret).Select(c => c.Key)
            .Concat(plan.StackConfig.Where(e => e.Value.Secret).Select(e => e.Key))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// A config value written with its declared type, so the CLI's type check of stack config passes. A stack value
    /// (<paramref name="encode"/>) of a string entry is encoded so Pulumi YAML's re-typing gives back the same text;
    /// a default is a literal of the program, which Pulumi YAML does not re-type.
    /// </summary>
    private static YamlScalarNode Typed(string declared, bool isList, string value, bool encode)
    {
        if (isList)
        {
            var joined = PulumiYamlConfig.ListStackValue(PulumiYamlConfig.ListItems(value));
            return Str(encode ? joined : string.Join(PulumiYamlConfig.ListDelimiter, PulumiYamlConfig.ListItems(value)));
        }

        return declared switch
        {
            "integer" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => Plain(number.ToString(CultureInfo.InvariantCulture)),
            "boolean" when bool.TryParse(value, out var flag) => Plain(flag ? "true" : "false"),
            _ => Str(encode ? PulumiYamlConfig.StackValue(value) : value),
        };
    }

    /// <summary>A string scalar: plain when YAML would read it back as the same string, double-quoted otherwise.</summary>
    internal static YamlScalarNode Str(string text) =>
        new(text) { Style = YamlScalars.MustQuote(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };

    private static YamlScalarNode Key(string text) => Str(text);

    private static YamlScalarNode Quoted(string text) => new(text) { Style = ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };
}
