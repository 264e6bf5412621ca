using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Components.Documents;
using Platform.Components.Specs;

namespace Platform.Components.Tests.Testing;

/// <summary>
/// A test-side emulator of what the real engine does with the config of a Pulumi YAML program, rule by rule, each
/// following (and citing) the upstream source it was read from: <c>pulumi/pulumi</c> v3.260 (the CLI) and
/// <c>pulumi/pulumi-yaml</c> v1.38 (the YAML language host). It exists so tests fail on what the real engine would
/// reject or change, instead of sharing the renderer's assumptions.
/// </summary>
internal static partial class PulumiYamlConfigRules
{
    /// <summary>Raised where the real engine stops the run, with its message.</summary>
    public sealed class Rejected(string message) : Exception(message);

    /// <summary>One config value as the program sees it after evaluation.</summary>
    public sealed record ConfigValue(JsonNode? Value, bool Secret);

    // ---- Config types ------------------------------------------------------------------------------------------

    /// <summary>
    /// Whether Pulumi YAML's config type parser accepts <paramref name="type"/>.
    /// <c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/config/config.go</c>, <c>Parse</c>: lower-cased, then
    /// <c>list&lt;T&gt;</c> of an accepted T, or one of string, bool, boolean, number, int, integer, object.
    /// Anything else: "unexpected configuration type '…'" (<c>pkg/pulumiyaml/run.go</c>, <c>registerConfig</c>).
    /// </summary>
    public static bool PulumiYamlAcceptsType(string type)
    {
        var s = type.ToLowerInvariant();
        if (s.StartsWith("list<", StringComparison.Ordinal) && s.EndsWith('>'))
        {
            return PulumiYamlAcceptsType(s["list<".Length..^1].Trim());
        }

        return s is "string" or "bool" or "boolean" or "number" or "int" or "integer" or "object";
    }

    /// <summary>
    /// Whether the CLI's project schema accepts <paramref name="type"/> as a config type.
    /// <c>pulumi/pulumi</c> <c>sdk/go/common/workspace/project.json</c>, <c>simpleConfigType</c>: an enum (so case
    /// sensitive) of string, integer, boolean, array, object.
    /// </summary>
    public static bool ProjectSchemaAcceptsType(string type) => type is "string" or "integer" or "boolean" or "array" or "object";

    /// <summary>
    /// The fields a config declaration may have in the CLI's project schema.
    /// <c>pulumi/pulumi</c> <c>sdk/go/common/workspace/project.json</c>, <c>configTypeDeclaration</c>
    /// (<c>additionalProperties: false</c>).
    /// </summary>
    public static readonly IReadOnlySet<string> ProjectDeclarationFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "items", "description", "secret", "default", "value",
    };

    /// <summary>
    /// The fields Pulumi YAML reads in a config declaration; any other draws a warning.
    /// <c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/ast/template.go</c>, <c>ConfigParamDecl</c> (type, name, secret,
    /// default, value, items) parsed by <c>parseRecord</c>, which warns on a field that matches none.
    /// </summary>
    public static readonly IReadOnlySet<string> PulumiYamlDeclarationFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "type", "name", "secret", "default", "value", "items",
    };

    // ---- Re-typing of config values ---------------------------------------------------------------------------

    /// <summary>
    /// What Pulumi YAML makes of a config value's text (every value the CLI hands over, declared or not).
    /// <c>pulumi/pulumi-yaml</c> <c>pkg/server/server.go</c>, the loop that builds <c>confPropMap</c>: text of more than
    /// one character that starts with <c>0</c> but not <c>0.</c> stays text; else <c>strconv.ParseInt(v, 10, 64)</c> →
    /// number; else <c>strconv.ParseBool</c> → bool; else <c>strconv.ParseFloat(v, 64)</c> → number; else
    /// <c>json.Unmarshal</c> → that JSON (numbers as float64); else text.
    /// </summary>
    public static JsonNode? Retype(string v)
    {
        if (v.Length > 1 && v.StartsWith('0') && !v.StartsWith("0.", StringComparison.Ordinal))
        {
            return JsonValue.Create(v);
        }

        if (GoParseInt(v) is { } integer)
        {
            return JsonValue.Create((double)integer);
        }

        if (GoParseBool(v) is { } flag)
        {
            return JsonValue.Create(flag);
        }

        if (GoParseFloat(v) is { } number)
        {
            return JsonValue.Create(number);
        }

        if (GoJson(v, out var json))
        {
            return json;
        }

        return JsonValue.Create(v);
    }

    /// <summary>Whether the program reads the stored <paramref name="text"/> back as exactly the string <paramref name="expected"/>.</summary>
    public static bool ReadsBackAs(string text, string expected, out JsonNode? retyped)
    {
        retyped = Retype(text);
        return retyped is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == expected;
    }

    // Go strconv.ParseInt(s, 10, 64): optional sign, decimal digits, in range (underscores only with base 0).
    private static long? GoParseInt(string s) =>
        DecimalInteger().IsMatch(s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    // Go strconv.ParseBool.
    private static bool? GoParseBool(string s) => s switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    // Go strconv.ParseFloat(s, 64): decimal or hexadecimal (p exponent required) form, or inf/infinity/nan in any
    // case with an optional sign; a value out of range is an error (ErrRange), not a number.
    private static double? GoParseFloat(string s)
    {
        if (SpecialFloat().Match(s) is { Success: true } special)
        {
            return special.Groups["nan"].Success ? double.NaN : s.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (DecimalFloat().IsMatch(s))
        {
            var value = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsInfinity(value) ? null : value;
        }

        if (HexFloat().Match(s) is { Success: true } hex)
        {
            var mantissa = hex.Groups["int"].Value.Replace("_", "", StringComparison.Ordinal) + hex.Groups["frac"].Value.Replace("_", "", StringComparison.Ordinal);
            var value = 0.0;
            foreach (var digit in mantissa)
            {
                value = (value * 16) + Convert.ToInt32(digit.ToString(), 16);
            }

            value *= Math.Pow(2, int.Parse(hex.Groups["exp"].Value, CultureInfo.InvariantCulture) - (4 * hex.Groups["frac"].Value.Replace("_", "", StringComparison.Ordinal).Length));
            value = s.StartsWith('-') ? -value : value;
            return double.IsInfinity(value) ? null : value;
        }

        return null;
    }

    // Go encoding/json Unmarshal into interface{}: standard JSON with surrounding white space, numbers as float64.
    private static bool GoJson(string s, out JsonNode? node)
    {
        node = null;
        try
        {
            using var document = JsonDocument.Parse(s, new JsonDocumentOptions { MaxDepth = 10_000 });
            node = FromElement(document.RootElement);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException)
        {
            return false;
        }
    }

    private static JsonNode? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => JsonValue.Create(true),
        JsonValueKind.False => JsonValue.Create(false),
        JsonValueKind.String => JsonValue.Create(element.GetString()),
        JsonValueKind.Number => double.IsInfinity(element.GetDouble()) ? throw new OverflowException() : JsonValue.Create(element.GetDouble()),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(FromElement)]),
        // Go keeps the last of duplicate keys.
        _ => element.EnumerateObject().Aggregate(new JsonObject(), (o, p) => { o[p.Name] = FromElement(p.Value); return o; }),
    };

    // ---- Interpolation ----------------------------------------------------------------------------------------

    /// <summary>
    /// The text a value becomes inside an interpolated string: Go's <c>fmt.Fprintf(b, "%v", v)</c>.
    /// <c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/run.go</c>, <c>evaluateInterpolations</c>. For a float64, %v is
    /// <c>strconv.FormatFloat(f, 'g', -1, 64)</c>: shortest digits, exponent form when the exponent is below -4 or at
    /// least 6 (<c>1048576</c> → <c>1.048576e+06</c>, <c>123456789012</c> → <c>1.23456789012e+11</c>).
    /// </summary>
    public static string Interpolated(JsonNode? value) => value switch
    {
        null => "<nil>",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoFloat(v.GetValue<double>()),
        JsonArray a => $"[{string.Join(" ", a.Select(Interpolated))}]",
        JsonObject o => $"map[{string.Join(" ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Interpolated(p.Value)}"))}]",
        _ => value.ToJsonString(),
    };

    /// <summary>Go's <c>strconv.FormatFloat(f, 'g', -1, 64)</c>.</summary>
    public static string GoFloat(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        if (f == 0)
        {
            return double.IsNegative(f) ? "-0" : "0";
        }

        // Shortest round-trip digits and the decimal point position, from .NET's shortest "R" form
        // (e.g. "1.23456789012E+11", "0.0001", "123456").
        var shortest = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture).Split('E');
        var e10 = shortest.Length > 1 ? int.Parse(shortest[1], CultureInfo.InvariantCulture) : 0;
        var whole = shortest[0].Split('.');
        var all = whole[0] + (whole.Length > 1 ? whole[1] : "");
        var leading = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        var exp = whole[0].Length + e10 - leading - 1; // decimal exponent of the first significant digit

        var sign = f < 0 ? "-" : "";
        if (exp < -4 || exp >= 6)
        {
            var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
            return $"{sign}{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }

        if (exp < 0)
        {
            return $"{sign}0.{new string('0', -exp - 1)}{digits}";
        }

        return digits.Length <= exp + 1
            ? $"{sign}{digits}{new string('0', exp + 1 - digits.Length)}"
            : $"{sign}{digits[..(exp + 1)]}.{digits[(exp + 1)..]}";
    }

    // ---- A program run's config --------------------------------------------------------------------------------

    /// <summary>
    /// Loads a rendered program's config the way <c>pulumi up</c> does, and returns every config value as the
    /// program's expressions see it, with Pulumi YAML's warnings on the declarations.
    /// </summary>
    /// <param name="program">Text of <c>Pulumi.yaml</c>.</param>
    /// <param name="stackSettings">Text of <c>Pulumi.&lt;stack&gt;.yaml</c>, or null.</param>
    /// <param name="secretValues">Values set with <c>pulumi config set --secret key value</c> (keys without project).</param>
    /// <param name="stack">The stack name, for messages.</param>
    /// <exception cref="Rejected">The CLI or Pulumi YAML stops the run; the message says why.</exception>
    public static (IReadOnlyDictionary<string, ConfigValue> Values, IReadOnlyList<string> Warnings) Load(
        string program, string? stackSettings, IReadOnlyDictionary<string, string>? secretValues = null, string stack = "stack")
    {
        var root = (JsonObject)YamlJson.Parse(program)!;
        var project = root["name"]!.GetValue<string>();
        var declared = root["config"] as JsonObject ?? [];
        var warnings = new List<string>();

        // The CLI reads every stack value as text; a structured value (a YAML list or map) is handed over as JSON.
        // pulumi/pulumi sdk/go/common/resource/config/value.go (object values are stored and passed as JSON).
        var stackValues = new Dictionary<string, (string Text, bool IsObject, bool Secure)>(StringComparer.Ordinal);
        if (stackSettings is not null && YamlJson.Parse(stackSettings) is JsonObject settings && settings["config"] is JsonObject config)
        {
            foreach (var (key, value) in config)
            {
                var name = key.StartsWith($"{project}:", StringComparison.Ordinal) ? key[(project.Length + 1)..] : key;
                stackValues[name] = value switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => (v.GetValue<string>(), false, false),
                    JsonValue v => (v.ToJsonString(), false, false),
                    JsonObject o when o.Count == 1 && o["secure"] is not null => throw new Rejected($"{key}: encrypted values are set through secretValues in this emulator."),
                    _ => (value!.ToJsonString(), true, false),
                };
            }
        }

        foreach (var (key, value) in secretValues ?? new Dictionary<string, string>())
        {
            stackValues[key] = (value, false, true);
        }

        // 1. The CLI validates Pulumi.yaml against its project schema (pulumi/pulumi sdk/go/common/workspace/project.go,
        //    ValidateProject, with project.json).
        foreach (var (key, node) in declared)
        {
            if (node is not JsonObject declaration)
            {
                continue; // a bare value is the project-level default, allowed by the schema's oneOf
            }

            foreach (var field in declaration.Select(p => p.Key))
            {
                if (!ProjectDeclarationFields.Contains(field))
                {
                    throw new Rejected($"#/config/{key}: additional properties '{field}' not allowed");
                }

                if (!PulumiYamlDeclarationFields.Contains(field))
                {
                    warnings.Add($"Object 'config.{key}' has no field named '{field}'");
                }
            }

            if (declaration["type"]?.GetValue<string>() is { } type)
            {
                if (!ProjectSchemaAcceptsType(type))
                {
                    throw new Rejected($"#/config/{key}/type: value must be one of \"string\", \"integer\", \"boolean\", \"array\", \"object\"");
                }

                if (type == "array" && declaration["items"] is null)
                {
                    throw new Rejected($"#/config/{key}: missing properties: 'items'");
                }
            }
        }

        // 2. The CLI copies the default of every declared key the stack does not set into the stack's config, as
        //    text: a string, int or bool by fmt.Sprintf("%v"), anything else as JSON (an object value); then it checks
        //    every value, defaults included, against the declarations and reports missing ones.
        //    pulumi/pulumi pkg/workspace/config.go: mergeConfig → createConfigValue, then validateStackConfigValues /
        //    validateStackConfigValue; sdk/go/common/workspace/project.go ValidateConfigValue;
        //    missingStackConfigurationKeysError. So a default reaches Pulumi YAML as config text, like a stack value.
        var missing = new List<string>();
        foreach (var (key, node) in declared)
        {
            var declaration = node as JsonObject;
            var @default = declaration is null ? node : declaration["default"];
            if (!stackValues.ContainsKey(key) && @default is not null)
            {
                stackValues[key] = CliDefault(@default);
            }

            if (!stackValues.TryGetValue(key, out var stackValue))
            {
                missing.Add(key);
                continue;
            }

            if (declaration?["secret"]?.GetValue<bool>() == true && !stackValue.Secure)
            {
                throw new Rejected($"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret");
            }

            if (declaration?["type"]?.GetValue<string>() is { } type && !CliAccepts(type, stackValue.Text, stackValue.IsObject))
            {
                throw new Rejected($"Stack '{stack}' with configuration key '{key}' must be of type '{type}'");
            }
        }

        if (missing.Count > 0)
        {
            throw new Rejected($"Stack '{stack}' is missing configuration value{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        }

        // 3. Pulumi YAML registers the declared entries first (typed by their declaration), then every value the CLI
        //    handed over (defaults included, step 2), re-typed; a key both declared and set is registered twice and
        //    the second wins. pulumi/pulumi-yaml pkg/pulumiyaml/sort.go (topologicallySortedResources,
        //    checkUniqueNode: a configNodeProp duplicate is no error) and pkg/pulumiyaml/run.go (Run → EvalConfig →
        //    registerConfig). registerConfig still evaluates a declared default as an expression (so "${" in it is an
        //    access, "$$" a '$') and stops the run when its type is not the declared one, though the value it gives
        //    is then replaced by the CLI's.
        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var (key, node) in declared)
        {
            var declaration = node as JsonObject;
            var type = declaration?["type"]?.GetValue<string>();
            if (type is not null && !PulumiYamlAcceptsType(type))
            {
                throw new Rejected($"Error registering config [{key}]: unexpected configuration type '{type}': valid types are String, List<String>, Number, List<Number>, Boolean, List<Boolean>");
            }

            if (declaration?["default"] is { } @default)
            {
                CheckDeclaredDefault(key, type, @default, values);
            }

            var secret = declaration?["secret"]?.GetValue<bool>() == true;
            var set = stackValues[key]; // step 2 stopped the run for a key with neither a value nor a default
            values[key] = new ConfigValue(Typed(key, type ?? "string", set.Text), secret || set.Secure);
        }

        foreach (var (key, set) in stackValues)
        {
            values[key] = new ConfigValue(Retype(set.Text), set.Secure || values.GetValueOrDefault(key)?.Secret == true);
        }

        return (values, warnings);
    }

    // pulumi/pulumi pkg/workspace/config.go createConfigValue: a string, int or bool (isPrimitiveValue) as
    // fmt.Sprintf("%v"); anything else (a float, a list, a map) as its JSON, an object value.
    private static (string Text, bool IsObject, bool Secure) CliDefault(JsonNode @default) => @default switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => (v.GetValue<string>(), false, false),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => (v.GetValue<bool>() ? "true" : "false", false, false),
        JsonValue v when v.TryGetValue<long>(out var integer) => (integer.ToString(CultureInfo.InvariantCulture), false, false),
        _ => (GoJsonMarshal(@default), true, false),
    };

    // pulumi/pulumi-yaml pkg/pulumiyaml/run.go registerConfig: the declared default is evaluated (a string through
    // the interpolation parser, pkg/pulumiyaml/ast/interpolation.go), an access to a name not registered yet fails
    // (evaluatePropertyAccess: "resource or variable named … could not be found"), and the default's type must be the
    // declared one ("type mismatch: default value of type … but type … was specified"; an integral number is an int).
    private static void CheckDeclaredDefault(string key, string? type, JsonNode @default, Dictionary<string, ConfigValue> registered)
    {
        if (@default is JsonValue text && text.GetValueKind() == JsonValueKind.String)
        {
            foreach (var part in InterpolationParts(text.GetValue<string>()).Where(p => p.Access is not null))
            {
                var name = part.Root ?? "";
                if (!registered.ContainsKey(name))
                {
                    throw new Rejected($"Error registering config [{key}]: resource or variable named \"{name}\" could not be found");
                }
            }
        }

        var actual = @default switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
            JsonArray => "list",
            _ => "object",
        };
        var declared = type?.ToLowerInvariant() switch
        {
            null => actual,
            "int" or "integer" when @default is JsonValue n && (n.TryGetValue<long>(out _) || (n.TryGetValue<decimal>(out var d) && d % 1 == 0)) => "number",
            "int" or "integer" => "integer",
            "bool" or "boolean" => "boolean",
            var other when other.StartsWith("list<", StringComparison.Ordinal) => "list",
            var other => other,
        };
        if (declared != actual)
        {
            throw new Rejected($"Error registering config [{key}]: type mismatch: default value of type {actual} but type {type} was specified");
        }
    }

    // pulumi/pulumi sdk/go/common/workspace/project.go ValidateConfigValue: string → any text (not an object);
    // integer → strconv.Atoi-able text; boolean → "true"/"false"; object → a map; array → a list.
    private static bool CliAccepts(string type, string text, bool isObject) => type switch
    {
        "string" => !isObject,
        "integer" => !isObject && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "boolean" => !isObject && text is "true" or "false",
        "object" => isObject && text.TrimStart().StartsWith('{'),
        "array" => isObject && text.TrimStart().StartsWith('['),
        _ => false,
    };

    // pulumi/pulumi-yaml pkg/pulumiyaml/run.go registerConfig: config.Try / TryInt / TryBool / TryFloat64 / TryObject
    // by the declared type (the Go SDK's config package parses the raw text).
    private static JsonNode? Typed(string key, string type, string text)
    {
        switch (type.ToLowerInvariant())
        {
            case "string":
                return JsonValue.Create(text);
            case "int" or "integer":
                return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? JsonValue.Create(i)
                    : throw new Rejected($"Error registering config [{key}]: unable to parse '{text}' as an integer");
            case "bool" or "boolean":
                return GoParseBool(text) is { } b ? JsonValue.Create(b) : throw new Rejected($"Error registering config [{key}]: unable to parse '{text}' as a bool");
            case "number":
                return GoParseFloat(text) is { } f ? JsonValue.Create(f) : throw new Rejected($"Error registering config [{key}]: unable to parse '{text}' as a number");
            default:
                return GoJson(text, out var json) ? json : throw new Rejected($"Error registering config [{key}]: unable to unmarshal '{text}'");
        }
    }

    // ---- Expressions ------------------------------------------------------------------------------------------

    /// <summary>
    /// Evaluates a program expression over config values, as Pulumi YAML does for the parts config feeds:
    /// <c>${key}</c> alone keeps the value's type; inside a longer string each value is formatted with %v
    /// (<see cref="Interpolated"/>); <c>fn::split</c>, <c>fn::join</c>, <c>fn::secret</c>, <c>fn::toJSON</c>
    /// (<c>pulumi/pulumi-yaml</c> <c>pkg/pulumiyaml/run.go</c>, <c>evaluateBuiltinSplit</c> and friends). A reference to a
    /// resource evaluates to the text <c>&lt;resource.property&gt;</c>.
    /// </summary>
    /// <exception cref="Rejected">A function gets an argument of the wrong type, as the engine reports it.</exception>
    public static JsonNode? Evaluate(JsonNode? expression, IReadOnlyDictionary<string, ConfigValue> config)
    {
        switch (expression)
        {
            case JsonObject o when o.Count == 1 && o.First().Key == "fn::secret":
                return Evaluate(o.First().Value, config);
            case JsonObject o when o.Count == 1 && o.First().Key == "fn::toJSON":
                return JsonValue.Create(GoJsonMarshal(Evaluate(o.First().Value, config)));
            case JsonObject o when o.Count == 1 && o.First().Key == "fn::split":
                {
                    var args = (JsonArray)o.First().Value!;
                    var delimiter = Evaluate(args[0], config);
                    var source = Evaluate(args[1], config);
                    if (source is not JsonValue s || s.GetValueKind() != JsonValueKind.String)
                    {
                        throw new Rejected($"fn::split: Must be a string, not {GoTypeName(source)}");
                    }

                    return new JsonArray([.. s.GetValue<string>().Split(delimiter!.GetValue<string>()).Select(p => (JsonNode?)JsonValue.Create(p))]);
                }

            case JsonObject o when o.Count == 1 && o.First().Key == "fn::join":
                {
                    var args = (JsonArray)o.First().Value!;
                    var delimiter = Evaluate(args[0], config)!.GetValue<string>();
                    var items = (JsonArray)Evaluate(args[1], config)!;
                    return JsonValue.Create(string.Join(delimiter, items.Select(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String
                        ? v.GetValue<string>()
                        : throw new Rejected($"fn::join: the items must be strings, not {GoTypeName(i)}"))));
                }

            case JsonObject o when o.Any(p => p.Key.StartsWith("fn::", StringComparison.Ordinal)):
                throw new NotSupportedException($"{o.First().Key} is not emulated.");
            case JsonObject o:
                return new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Evaluate(p.Value, config))));
            case JsonArray a:
                return new JsonArray([.. a.Select(i => Evaluate(i, config))]);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return Interpolate(v.GetValue<string>(), config);
            default:
                return expression?.DeepClone();
        }
    }

    private static JsonNode? Interpolate(string text, IReadOnlyDictionary<string, ConfigValue> config)
    {
        var parts = InterpolationParts(text);
        if (parts is [{ Text: "", Access: { } whole }])
        {
            return Access(whole, config);
        }

        return JsonValue.Create(string.Concat(parts.Select(p => p.Text + (p.Access is null ? "" : Interpolated(Access(p.Access, config))))));
    }

    /// <summary>
    /// Splits a string as Pulumi YAML's parser does (<see cref="PulumiYamlInterpolation"/>): each part is the literal
    /// text before an access, the access as written, and its root name (the last part's access may be null).
    /// </summary>
    /// <exception cref="Rejected">Pulumi YAML refuses the string.</exception>
    public static IReadOnlyList<(string Text, string? Access, string? Root)> InterpolationParts(string text) =>
        [.. PulumiYamlInterpolation.Parse(text).Select(p => (p.Text, p.Access?.Text, p.Access?.Root))];

    private static JsonNode? Access(string name, IReadOnlyDictionary<string, ConfigValue> config) =>
        config.TryGetValue(name, out var value) ? value.Value?.DeepClone() : JsonValue.Create($"<{name}>");

    private static string GoTypeName(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonArray => "list",
        JsonObject => "object",
        _ => "string",
    };

    // Go's encoding/json Marshal: floats as 'f' unless the exponent is < -6 or >= 21; <, >, & escaped.
    private static string GoJsonMarshal(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoJsonNumber(v.GetValue<double>()),
        JsonValue v => v.ToJsonString(GoJsonOptions),
        JsonArray a => $"[{string.Join(",", a.Select(GoJsonMarshal))}]",
        JsonObject o => $"{{{string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonSerializer.Serialize(p.Key, GoJsonOptions)}:{GoJsonMarshal(p.Value)}"))}}}",
        _ => node.ToJsonString(),
    };

    private static string GoJsonNumber(double f)
    {
        var abs = Math.Abs(f);
        return abs != 0 && (abs < 1e-6 || abs >= 1e21)
            ? GoFloat(f)
            : f.ToString("0.#################", CultureInfo.InvariantCulture);
    }

    private static readonly JsonSerializerOptions GoJsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[+-]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")]
    private static partial Regex DecimalFloat();

    [GeneratedRegex(@"^[+-]?0[xX](?<int>[0-9a-fA-F_]*)\.?(?<frac>[0-9a-fA-F_]*)[pP](?<exp>[+-]?[0-9]+)$")]
    private static partial Regex HexFloat();

    [GeneratedRegex(@"^[+-]?(?:inf|infinity|(?<nan>nan))$", RegexOptions.IgnoreCase)]
    private static partial Regex SpecialFloat();
}
