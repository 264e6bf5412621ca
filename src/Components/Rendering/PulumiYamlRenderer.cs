using System.Buffers;
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
/// values and defaults encoded so Pulumi YAML reads back exactly the text the plan holds (see <see cref="PulumiYamlConfig"/>);</item>
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
    /// A value cannot be expressed in Pulumi YAML (a list or map inside a string interpolation, a config default
    /// that would read as holding an access, <c>${</c>), or a secret holds a literal value, which the program would carry in plain text.
    /// </exception>
    public static RenderedProgram Render(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var program = new StringWriter(new StringBuilder(plan.Resources.Length * 1024), CultureInfo.InvariantCulture);
        WriteProgram(plan, program);
        return Describe(plan, program.ToString());
    }

    /// <summary>
    /// Renders <paramref name="plan"/> with <c>Pulumi.yaml</c> written straight to <paramref name="program"/> as it is
    /// produced (no copy of the whole program is held in memory); <see cref="RenderedProgram.Program"/> is then empty.
    /// The bytes written are those <see cref="Render(ResourcePlan)"/> gives.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Render(ResourcePlan)"/>; part of the program may have been written by then.</exception>
    public static RenderedProgram Render(ResourcePlan plan, TextWriter program)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(program);
        WriteProgram(plan, program);
        return Describe(plan, "");
    }

    private static RenderedProgram Describe(ResourcePlan plan, string program)
    {
        var project = ProjectName(plan.Environment);
        return new RenderedProgram(
            project,
            plan.Environment,
            program,
            StackSettings(plan, project) is { } settings ? YamlWriter.Write(settings) : null,
            SecretKeys(plan),
            plan.UnsetConfigKeys,
            [.. plan.Config.Where(c => PulumiYamlConfig.Declaration(c.Type).IsList).Select(c => c.Key)]);
    }

    private static void WriteProgram(ResourcePlan plan, TextWriter program) => new ProgramWriter(plan, program).Write();

    /// <summary>
    /// One render's state: the writer, the list config keys, and what is reused from value to value. A program writes
    /// hundreds of thousands of values, so the text the renderer assembles (references, interpolations, numbers) is
    /// built in one reused buffer and handed to the writer as a span, and interpolations share one parts list.
    /// </summary>
    private sealed class ProgramWriter(ResourcePlan plan, TextWriter program)
    {
        private readonly YamlEventWriter _yaml = new(program);
        private readonly HashSet<string> _lists = plan.Config.Where(c => PulumiYamlConfig.Declaration(c.Type).IsList).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        // Holds one assembled scalar at a time, from its start until it is written (see Symbol and Interpolate).
        private readonly ArrayBufferWriter<char> _text = new(256);

        // The flattened parts of the interpolations being written: each call appends its parts at the end and removes
        // them when done, so an interpolation inside a secret inside a join uses the same list.
        private readonly List<PlanValue> _parts = [];

        public void Write()
        {
            var yaml = _yaml;
            yaml.BeginMapping();
            yaml.String("name");
            yaml.String(ProjectName(plan.Environment));
            yaml.String("runtime");
            yaml.Scalar("yaml", ScalarStyle.Any);
            yaml.String("description");
            yaml.String($"Environment {plan.Environment} ({plan.Tier.ToString().ToLowerInvariant()} tier, target {plan.Target}), rendered by Platform from its environment spec. Regenerate it instead of editing it.");

            if (!plan.Config.IsEmpty)
            {
                yaml.String("config");
                yaml.BeginMapping();
                foreach (var entry in plan.Config)
                {
                    // Pulumi YAML warns on a `description` inside a config declaration, so it is a comment instead.
                    if (entry.Description.Length > 0)
                    {
                        yaml.Comment(entry.Description.ReplaceLineEndings(" ") +
                            (_lists.Contains(entry.Key) ? $" A list: its items joined by \"{PulumiYamlConfig.ListDelimiter}\"." : ""));
                    }

                    yaml.String(entry.Key);
                    ConfigDeclaration(entry);
                }

                yaml.EndMapping();
            }

            yaml.String("resources");
            yaml.BeginMapping();
            foreach (var resource in plan.Resources)
            {
                yaml.String(resource.Name);
                Resource(resource);
            }

            yaml.EndMapping();

            if (!plan.Outputs.IsEmpty)
            {
                yaml.String("outputs");
                yaml.BeginMapping();
                foreach (var output in plan.Outputs)
                {
                    yaml.String(output.Name);
                    Value(output.Value);
                }

                yaml.EndMapping();
            }

            yaml.EndMapping();
            yaml.Finish();
        }

        private void ConfigDeclaration(PlanConfigEntry entry)
        {
            var (declared, isList) = PulumiYamlConfig.Declaration(entry.Type);
            _yaml.BeginMapping();
            _yaml.String("type");
            _yaml.Scalar(declared, ScalarStyle.Any);
            if (entry.Secret)
            {
                _yaml.String("secret");
                _yaml.Plain("true");
            }
            else if (entry.Default is { } value)
            {
                // Defaults of secret entries would sit in plain text in Pulumi.yaml, so only plain entries get one.
                // A default reaches the program as a stack value does: the CLI copies it into the stack's config as
                // text and Pulumi YAML re-types that text (and lets it replace the declaration's own reading), so it is
                // encoded the same way, and not '$'-escaped: the copy is never interpolated. Pulumi YAML still
                // evaluates the declaration itself as an expression, where an access ("${", not "$${") fails or
                // reads something else; escaping it would reach the program verbatim through the copy, so such a
                // default has no faithful form.
                var (text, style) = Typed(declared, isList, value);
                if (YamlScalars.ReadsAnAccess(text))
                {
                    throw new ArgumentException($"Config entry '{entry.Key}' has a default Pulumi YAML would read as holding an access ('${{'); give the value as stack config instead.", nameof(entry));
                }

                _yaml.String("default");
                _yaml.Scalar(text, style);
            }

            _yaml.EndMapping();
        }

        private void Resource(PlannedResource resource)
        {
            _yaml.BeginMapping();
            _yaml.String("type");
            _yaml.String(resource.Type);
            if (!resource.Inputs.Entries.IsEmpty)
            {
                _yaml.String("properties");
                _yaml.BeginMapping();
                foreach (var (key, value) in resource.Inputs.Entries.AsSpan())
                {
                    // Top-level property names are literal in Pulumi YAML (never interpolated), so they are not escaped.
                    _yaml.String(key);
                    Value(value);
                }

                _yaml.EndMapping();
            }

            var options = resource.Options;
            if (!options.Equals(PlanResourceOptions.None))
            {
                _yaml.String("options");
                Options(options);
            }

            _yaml.EndMapping();
        }

        private void Options(PlanResourceOptions options)
        {
            var yaml = _yaml;
            yaml.BeginMapping();
            if (options.Provider is { } provider)
            {
                yaml.String("provider");
                yaml.String(Symbol(provider, ""));
            }

            if (!options.DependsOn.IsEmpty)
            {
                // A flow list of quoted references, as Pulumi's docs write it: unquoted, "{" would open a flow mapping.
                yaml.String("dependsOn");
                yaml.BeginSequence(SequenceStyle.Flow);
                foreach (var dependency in options.DependsOn)
                {
                    yaml.Quoted(Symbol(dependency, ""));
                }

                yaml.EndSequence();
            }

            if (options.Protect)
            {
                yaml.String("protect");
                yaml.Plain("true");
            }

            if (options.Version is { } version)
            {
                yaml.String("version");
                yaml.String(version);
            }

            Strings("additionalSecretOutputs", options.AdditionalSecretOutputs);

            if (options.DeleteBeforeReplace)
            {
                yaml.String("deleteBeforeReplace");
                yaml.Plain("true");
            }

            // Property paths are literal strings to Pulumi YAML (ResourceOptionsDecl.IgnoreChanges is a list of
            // strings), never interpolated.
            Strings("ignoreChanges", options.IgnoreChanges);
            yaml.EndMapping();
        }

        // An option holding a list of plain strings (output names, property paths), written only when it has some.
        private void Strings(string option, ImmutableArray<string> values)
        {
            if (values.IsEmpty)
            {
                return;
            }

            _yaml.String(option);
            _yaml.BeginSequence();
            foreach (var value in values)
            {
                _yaml.String(value);
            }

            _yaml.EndSequence();
        }

        /// <summary>Writes a plan value as a Pulumi YAML expression.</summary>
        private void Value(PlanValue value)
        {
            var yaml = _yaml;
            switch (value)
            {
                case PlanValue.NullValue:
                    yaml.Plain("null");
                    break;
                case PlanValue.Text text:
                    yaml.String(YamlScalars.EscapeLiteral(text.Value));
                    break;
                case PlanValue.Number number:
                    _text.ResetWrittenCount();
                    AppendNumber(_text, number.Value);
                    yaml.Plain(_text.WrittenSpan);
                    break;
                case PlanValue.Bool flag:
                    yaml.Plain(flag.Value ? "true" : "false");
                    break;
                case PlanValue.List list:
                    yaml.BeginSequence();
                    foreach (var item in list.Items)
                    {
                        Value(item);
                    }

                    yaml.EndSequence();
                    break;
                case PlanValue.Map map:
                    yaml.BeginMapping();
                    foreach (var (key, entry) in map.Entries.AsSpan())
                    {
                        // Keys of nested objects are expressions in Pulumi YAML, so literal "${" in them is escaped too.
                        yaml.String(YamlScalars.EscapeLiteral(key));
                        Value(entry);
                    }

                    yaml.EndMapping();
                    break;
                case PlanValue.Reference reference:
                    yaml.String(Symbol(reference.Resource, reference.Property));
                    break;
                case PlanValue.ConfigReference config when _lists.Contains(config.Key):
                    // A list travels as joined text (no list config type is accepted by both Pulumi YAML and the CLI).
                    yaml.BeginMapping();
                    yaml.String("fn::split");
                    yaml.BeginSequence();
                    yaml.Quoted(PulumiYamlConfig.ListDelimiter);
                    yaml.String(Symbol(config.Key, ""));
                    yaml.EndSequence();
                    yaml.EndMapping();
                    break;
                case PlanValue.ConfigReference config:
                    yaml.String(Symbol(config.Key, ""));
                    break;
                case PlanValue.Secret secret when !RefersToSomething(secret.Value):
                    throw new ArgumentException("A secret with a literal value would sit in plain text in Pulumi.yaml; plans read secret values from stack config or other resources.", nameof(value));
                case PlanValue.Secret secret:
                    Function("fn::secret", secret.Value);
                    break;
                case PlanValue.Json json:
                    Function("fn::toJSON", json.Value);
                    break;
                case PlanValue.Interpolation interpolation:
                    Interpolate(interpolation);
                    break;
                default:
                    throw new ArgumentException($"Unknown plan value {value.GetType().Name}.", nameof(value));
            }
        }

        private void Function(string name, PlanValue argument)
        {
            _yaml.BeginMapping();
            _yaml.String(name);
            Value(argument);
            _yaml.EndMapping();
        }

        private void Interpolate(PlanValue.Interpolation interpolation)
        {
            var start = _parts.Count;
            Flatten(interpolation.Parts);
            try
            {
                Interpolate(start, _parts.Count);
            }
            finally
            {
                _parts.RemoveRange(start, _parts.Count - start);
            }
        }

        // Writes the flattened parts _parts[start..end).
        private void Interpolate(int start, int end)
        {
            // A string that is one access and nothing else is no interpolation in Pulumi YAML: it parses as the access
            // itself and keeps the value's type, so a number stays a number (ParseExpr and the doc of InterpolateExpr,
            // pkg/pulumiyaml/ast/expr.go, pulumi/pulumi-yaml). Pulumi YAML has no function that makes a value text
            // (fn::join takes strings only, fn::toJSON quotes strings), so such a plan is refused, not silently retyped.
            if (SoleAccess(start, end) is var (name, property))
            {
                throw new ArgumentException(
                    $"An interpolation of {Symbol(name, property)} alone is not text in Pulumi YAML: a string that is one access reads as the value itself, with its own type. " +
                    "Use the reference itself (PlanValue.Ref or PlanValue.Config) where that type is wanted, or put text around it.", nameof(start));
            }

            var yaml = _yaml;
            var join = false;
            for (var i = start; i < end; i++)
            {
                join |= _parts[i] is PlanValue.Secret or PlanValue.Json;
            }

            if (join)
            {
                // An interpolated string cannot hold a function call; fn::join can, and keeps a secret part secret.
                // Parts are checked before anything is written, as a literal one inside a join must be text.
                for (var i = start; i < end; i++)
                {
                    if (!IsExpression(_parts[i]))
                    {
                        CheckLiteral(_parts[i]);
                    }
                }

                yaml.BeginMapping();
                yaml.String("fn::join");
                yaml.BeginSequence();
                yaml.String("");
                yaml.BeginSequence();
                for (var i = start; i < end; i++)
                {
                    if (IsExpression(_parts[i]))
                    {
                        Value(_parts[i]);
                    }
                    else
                    {
                        yaml.String(YamlScalars.EscapeLiteral(LiteralText(_parts[i])));
                    }
                }

                yaml.EndSequence();
                yaml.EndSequence();
                yaml.EndMapping();
                return;
            }

            var text = _text;
            text.ResetWrittenCount();
            for (var i = start; i < end; i++)
            {
                switch (_parts[i])
                {
                    case PlanValue.Reference reference:
                        AppendSymbol(text, reference.Resource, reference.Property);
                        break;
                    case PlanValue.ConfigReference config:
                        AppendSymbol(text, config.Key, "");
                        break;
                    case PlanValue.Text literal:
                        // Escaping is decided on the whole string, so a '$' ending this part needs what follows it.
                        YamlScalars.EscapeLiteral(text, literal.Value, literal.Value.EndsWith('$') ? Following(i + 1, end) : '\0');
                        break;
                    case PlanValue.Number number:
                        // Numbers, booleans and null hold no '$', so their text needs no escaping.
                        AppendNumber(text, number.Value);
                        break;
                    default:
                        text.Write(LiteralText(_parts[i]));
                        break;
                }
            }

            yaml.String(text.WrittenSpan);
        }

        // The access, when _parts[start..end) write nothing but one reference or config reference.
        private (string Name, string Property)? SoleAccess(int start, int end)
        {
            PlanValue? sole = null;
            for (var i = start; i < end; i++)
            {
                if (_parts[i] is PlanValue.Text { Value.Length: 0 } or PlanValue.NullValue)
                {
                    continue;
                }

                if (sole is not null)
                {
                    return null;
                }

                sole = _parts[i];
            }

            return sole switch
            {
                PlanValue.Reference reference => (reference.Resource, reference.Property),
                PlanValue.ConfigReference config => (config.Key, ""),
                _ => null,
            };
        }

        // The first character the parts _parts[next..end) write, or '\0' when they write none: an empty text or a null
        // writes nothing, so the part after it decides ("$" + null + "{x}" must still escape the '$').
        private char Following(int next, int end)
        {
            for (; next < end; next++)
            {
                switch (_parts[next])
                {
                    case PlanValue.Reference or PlanValue.ConfigReference:
                        return '$';
                    case PlanValue.Text { Value: [var first, ..] }:
                        return first;
                    case PlanValue.Text or PlanValue.NullValue:
                        continue;
                    default:
                        // A number or bool starts with neither '{' nor '$'; any other part cannot be interpolated and
                        // fails when its turn comes.
                        return '\0';
                }
            }

            return '\0';
        }

        private void Flatten(ImmutableArray<PlanValue> parts)
        {
            foreach (var part in parts)
            {
                if (part is PlanValue.Interpolation nested)
                {
                    Flatten(nested.Parts);
                }
                else
                {
                    _parts.Add(part);
                }
            }
        }

        /// <summary><c>${resource.property}</c> (see <see cref="AppendSymbol"/>), valid until the buffer is used again.</summary>
        private ReadOnlySpan<char> Symbol(string name, string property)
        {
            _text.ResetWrittenCount();
            AppendSymbol(_text, name, property);
            return _text.WrittenSpan;
        }
    }

    private static bool IsExpression(PlanValue part) =>
        part is PlanValue.Secret or PlanValue.Json or PlanValue.Reference or PlanValue.ConfigReference;

    /// <summary>Whether a reference or config reference sits anywhere in <paramref name="value"/> (a recursive walk: no iterator per secret).</summary>
    private static bool RefersToSomething(PlanValue value)
    {
        switch (value)
        {
            case PlanValue.Reference or PlanValue.ConfigReference:
                return true;
            case PlanValue.Map map:
                foreach (var (_, entry) in map.Entries.AsSpan())
                {
                    if (RefersToSomething(entry))
                    {
                        return true;
                    }
                }

                return false;
            case PlanValue.List list:
                return AnyRefersToSomething(list.Items);
            case PlanValue.Interpolation interpolation:
                return AnyRefersToSomething(interpolation.Parts);
            case PlanValue.Secret secret:
                return RefersToSomething(secret.Value);
            case PlanValue.Json json:
                return RefersToSomething(json.Value);
            default:
                return false;
        }
    }

    private static bool AnyRefersToSomething(ImmutableArray<PlanValue> values)
    {
        foreach (var item in values)
        {
            if (RefersToSomething(item))
            {
                return true;
            }
        }

        return false;
    }

    // Throws as LiteralText does for a part that cannot be literal text, without making the text.
    private static void CheckLiteral(PlanValue part)
    {
        if (part is not (PlanValue.Text or PlanValue.Number or PlanValue.Bool or PlanValue.NullValue))
        {
            LiteralText(part);
        }
    }

    private static string LiteralText(PlanValue part) => part switch
    {
        PlanValue.Text text => text.Value,
        PlanValue.Number number => number.Value.ToString(CultureInfo.InvariantCulture),
        PlanValue.Bool flag => flag.Value ? "true" : "false",
        PlanValue.NullValue => "",
        _ => throw new ArgumentException($"A {part.GetType().Name} cannot be part of a string interpolation.", nameof(part)),
    };

    /// <summary><c>${resource.property}</c>; the property path (<c>a.b[0].c</c>, <c>["k"]</c>) is kept verbatim.</summary>
    private static void AppendSymbol(ArrayBufferWriter<char> text, string name, string property)
    {
        text.Write("${");
        text.Write(name);
        if (property.Length > 0)
        {
            if (!property.StartsWith('['))
            {
                text.Write(".");
            }

            text.Write(property);
        }

        text.Write("}");
    }

    /// <summary>A number as <see cref="decimal.ToString(IFormatProvider)"/> writes it with the invariant culture.</summary>
    private static void AppendNumber(ArrayBufferWriter<char> text, decimal number)
    {
        // 64 characters hold any decimal (29 digits, a sign, a point and leading zeros).
        if (!number.TryFormat(text.GetSpan(64), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A decimal did not fit 64 characters.");
        }

        text.Advance(written);
    }

    private static YamlMappingNode? StackSettings(ResourcePlan plan, string project)
    {
        var values = plan.StackConfig.Where(e => !e.Value.Secret).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in plan.Config)
        {
            types.TryAdd(entry.Key, entry.Type);
        }

        var config = new YamlMappingNode();
        foreach (var (key, value) in values)
        {
            var (declared, isList) = PulumiYamlConfig.Declaration(types.GetValueOrDefault(key, "string"));
            var (text, style) = Typed(declared, isList, value.Value);
            config.Add(Str(YamlScalars.MustQuote($"{project}:{key}") ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, $"{project}:{key}"), Str(style, text));
        }

        return new YamlMappingNode { { "config", config } };
    }

    private static ImmutableArray<string> SecretKeys(ResourcePlan plan) =>
        [.. plan.Config.Where(c => c.Secret).Select(c => c.Key)
            .Concat(plan.StackConfig.Where(e => e.Value.Secret).Select(e => e.Key))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// A config value, stack value or default, written with its declared type, so the CLI's type check passes; a
    /// string or list is encoded so Pulumi YAML's re-typing gives back the same text. A default needs this as much as
    /// a stack value: the CLI copies it into the stack's config as text (<c>pulumi/pulumi</c>
    /// <c>pkg/workspace/config.go</c>, <c>mergeConfig</c> / <c>createConfigValue</c>), which Pulumi YAML re-types
    /// (<c>pulumi/pulumi-yaml</c> <c>pkg/server/server.go</c>) and lets replace the declaration's own reading
    /// (<c>pkg/pulumiyaml/sort.go</c>).
    /// </summary>
    private static (string Text, ScalarStyle Style) Typed(string declared, bool isList, string value)
    {
        if (isList)
        {
            return StringScalar(PulumiYamlConfig.ListStackValue(PulumiYamlConfig.ListItems(value)));
        }

        return declared switch
        {
            "integer" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => (number.ToString(CultureInfo.InvariantCulture), ScalarStyle.Plain),
            "boolean" when bool.TryParse(value, out var flag) => (flag ? "true" : "false", ScalarStyle.Plain),
            _ => StringScalar(PulumiYamlConfig.StackValue(value)),
        };
    }

    /// <summary>A string scalar: plain when YAML would read it back as the same string, double-quoted otherwise.</summary>
    private static (string Text, ScalarStyle Style) StringScalar(string text) =>
        (text, YamlScalars.MustQuote(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);

    private static YamlScalarNode Str(ScalarStyle style, string text) => new(text) { Style = style };
}
