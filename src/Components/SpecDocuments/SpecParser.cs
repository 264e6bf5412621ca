using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.Resources;
using Platform.Components.Specs;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// Reads an environment spec from JSON or YAML (one schema), reporting every structural problem at once:
/// malformed text, unknown fields (with a suggestion), wrong types, unknown enum values and missing required fields.
/// Semantic rules (names, references, images, guardrails) are <see cref="SpecValidator"/>'s.
/// </summary>
public static class SpecParser
{
    internal static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "spec"];
    internal static readonly string[] MetadataFields = ["name", "team", "costCenter", "labels"];
    internal static readonly string[] SpecFields = ["tier", "target", "ttl", "services", "resources"];
    internal static readonly string[] ServiceFields = ["name", "type", "image", "port", "host", "env", "uses", "replicas", "resources", "schedule", "healthPath", "command", "args"];
    internal static readonly string[] ResourceFields = ["name", "type", .. ResourceKinds.FieldNames];

    /// <summary>
    /// Reads a spec document (YAML or JSON) into its JSON tree without interpreting it, with the same depth, size and
    /// encoding limits as <see cref="Parse"/>; for tools that edit a stored spec and keep everything else as written.
    /// </summary>
    /// <exception cref="DocumentFormatException">The text is not a well-formed document within the limits.</exception>
    public static JsonNode? ReadDocument(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return YamlJson.Parse(text);
    }

    /// <summary>Parses <paramref name="text"/>; <see cref="SpecParseResult.Spec"/> is set only when there were no errors.</summary>
    public static SpecParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonNode? root;
        try
        {
            root = YamlJson.Parse(text);
        }
        catch (DocumentFormatException ex)
        {
            return Failed(SpecError.Syntax(ex));
        }

        var reader = new Reader();
        var spec = reader.ReadEnvironment(root);
        return reader.Errors.Count == 0 && spec is not null
            ? new SpecParseResult(spec, [])
            : new SpecParseResult(null, [.. reader.Errors]) { Draft = reader.Draft };
    }

    private static SpecParseResult Failed(SpecError error) => new(null, [error]);

    /// <summary>The longest duration a spec or request may name (ten years): beyond it, arithmetic on dates overflows.</summary>
    public static TimeSpan MaxDuration { get; } = TimeSpan.FromDays(3650);

    /// <summary>Parses a duration such as <c>72h</c>, <c>30m</c>, <c>7d</c>, <c>2w</c> or <c>1d12h</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var index = 0;
        while (index < text.Length)
        {
            var start = index;
            while (index < text.Length && char.IsAsciiDigit(text[index]))
            {
                index++;
            }

            if (index == start || index == text.Length ||
                !long.TryParse(text.AsSpan(start, index - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) ||
                amount > 100_000)
            {
                return false;
            }

            TimeSpan unit = text[index] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => TimeSpan.Zero,
            };
            if (unit == TimeSpan.Zero)
            {
                return false;
            }

            duration += unit * amount;
            if (duration > MaxDuration)
            {
                return false;
            }

            index++;
        }

        return true;
    }

    /// <summary>Formats a duration the way specs write it (<c>3d</c>, <c>72h</c>, <c>90m</c>).</summary>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalDays == Math.Floor(duration.TotalDays) && duration.TotalDays >= 1 ? $"{(long)duration.TotalDays}d"
        : duration.TotalHours == Math.Floor(duration.TotalHours) && duration.TotalHours >= 1 ? $"{(long)duration.TotalHours}h"
        : duration.TotalMinutes == Math.Floor(duration.TotalMinutes) && duration.TotalMinutes >= 1 ? $"{(long)duration.TotalMinutes}m"
        : $"{(long)duration.TotalSeconds}s";

    private sealed class Reader
    {
        // A misspelt field ("costCentre") stands in for the field it suggests, so one typo is one error (not also
        // "'costCenter' is required") and what it holds is still checked.
        private readonly Dictionary<string, string> _misspelt = new(StringComparer.Ordinal);

        public List<SpecError> Errors { get; } = [];

        /// <summary>What could be read of a spec with structural errors, for the validator's checks of the rest.</summary>
        public SpecDraft? Draft { get; private set; }

        private void Error(string path, string message, string fix) => Errors.Add(new SpecError(path, message, fix));

        private JsonNode? Get(JsonObject node, string path, string field) =>
            node[field] ?? (_misspelt.TryGetValue(Join(path, field), out var key) ? node[key] : null);

        public EnvironmentSpec? ReadEnvironment(JsonNode? root)
        {
            if (root is not JsonObject top)
            {
                Error("(document)", root is null ? "The document is empty." : "The document is not a mapping.",
                    "Start from the example in the README: apiVersion, kind, metadata and spec at the top level.");
                return null;
            }

            CheckFields(top, "", TopFields);
            var apiVersion = RequiredString(top, "", "apiVersion");
            if (apiVersion is not null && apiVersion != EnvironmentSpec.ApiVersion)
            {
                Error("apiVersion", $"Unsupported apiVersion '{apiVersion}'.", $"Use '{EnvironmentSpec.ApiVersion}'.");
            }

            var kind = RequiredString(top, "", "kind");
            if (kind is not null && kind != EnvironmentSpec.Kind)
            {
                Error("kind", $"Unsupported kind '{kind}'.", $"Use '{EnvironmentSpec.Kind}'.");
            }

            var metadata = ReadMetadata(RequiredObject(top, "", "metadata"));
            var body = RequiredObject(top, "", "spec");
            if (body is null)
            {
                return null;
            }

            CheckFields(body, "spec", SpecFields);
            var tier = RequiredEnum<Tier>(body, "spec", "tier");
            var target = OptionalString(body, "spec", "target") ?? EnvironmentSpec.DefaultTarget;
            TimeSpan? ttl = null;
            if (OptionalString(body, "spec", "ttl") is { } ttlText)
            {
                if (TryParseDuration(ttlText, out var parsed))
                {
                    ttl = parsed;
                }
                else
                {
                    Error("spec.ttl", $"'{ttlText}' is not a duration.", "Write a number and a unit (s, m, h, d, w), e.g. 72h, 7d or 1d12h, of at most 3650d.");
                }
            }

            var services = ReadList(body, "spec", "services", ReadService);
            var resources = ReadList(body, "spec", "resources", ReadResource);
            var spec = new EnvironmentSpec(
                metadata ?? new EnvironmentMetadata("", "", ""), tier ?? Tier.Dev, target, ttl,
                [.. services.Read.Select(s => s.Item)], [.. resources.Read.Select(r => r.Item)]);
            Draft = new SpecDraft(
                spec,
                TierKnown: tier is not null,
                [.. services.Read.Select(s => s.Index)],
                [.. resources.Read.Select(r => r.Index)],
                [.. services.Unread.Concat(resources.Unread)],
                Skipped: services.Skipped + resources.Skipped,
                [.. Errors.Select(e => e.Path)]);
            return spec;
        }

        private EnvironmentMetadata? ReadMetadata(JsonObject? node)
        {
            if (node is null)
            {
                return null;
            }

            CheckFields(node, "metadata", MetadataFields);
            var name = RequiredString(node, "metadata", "name");
            var team = RequiredString(node, "metadata", "team");
            var costCenter = RequiredString(node, "metadata", "costCenter");
            var labels = ReadStringMap(node, "metadata", "labels");
            return new EnvironmentMetadata(name ?? "", team ?? "", costCenter ?? "", labels);
        }

        // A service whose type cannot be read is skipped (every other check depends on its type); missing text
        // fields read as empty, and the validator's findings at paths already reported are dropped.
        private (ServiceSpec? Item, string? Name) ReadService(JsonObject node, string path)
        {
            CheckFields(node, path, ServiceFields);
            var name = RequiredString(node, path, "name");
            var type = RequiredEnum<ServiceType>(node, path, "type");
            var image = RequiredString(node, path, "image");
            var port = OptionalInt(node, path, "port");
            var host = OptionalString(node, path, "host");
            var env = ReadEnv(node, path);
            var uses = ReadStrings(node, path, "uses");
            ReplicaRange? replicas = null;
            if (Get(node, path, "replicas") is JsonValue count && ScalarText(count) is { } text &&
                int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fixedCount) && fixedCount >= 1)
            {
                // A count where bounds are expected is the commonest shape slip: say how to write that count.
                Error($"{path}.replicas", $"Expected a mapping of min and max, not the number {fixedCount}.",
                    $"For a fixed count write replicas: {{ min: {fixedCount}, max: {fixedCount} }}; for autoscaling, a range such as {{ min: {fixedCount}, max: {fixedCount * 2} }}.");
            }
            else if (OptionalObject(node, path, "replicas") is { } r)
            {
                CheckFields(r, $"{path}.replicas", ["min", "max"]);
                var min = RequiredInt(r, $"{path}.replicas", "min");
                var max = RequiredInt(r, $"{path}.replicas", "max");
                replicas = min is null || max is null ? null : new ReplicaRange(min.Value, max.Value);
            }

            ComputeResources? resources = null;
            if (OptionalObject(node, path, "resources") is { } res)
            {
                CheckFields(res, $"{path}.resources", ["cpu", "memory"]);
                resources = new ComputeResources(OptionalQuantity(res, $"{path}.resources", "cpu"), OptionalQuantity(res, $"{path}.resources", "memory"));
            }

            var schedule = OptionalString(node, path, "schedule");
            var healthPath = OptionalString(node, path, "healthPath");
            var command = ReadStrings(node, path, "command");
            var args = ReadStrings(node, path, "args");
            return type is null
                ? (null, name)
                : (new ServiceSpec(name ?? "", type.Value, image ?? "", port, host, env, uses, replicas, resources, schedule, healthPath, command, args), name);
        }

        private (ResourceSpec? Item, string? Name) ReadResource(JsonObject node, string path)
        {
            CheckFields(node, path, ResourceFields);
            var name = RequiredString(node, path, "name");
            var type = RequiredString(node, path, "type");
            ResourceKind? kind = null;
            if (type is not null && !ResourceKinds.TryGet(type, out kind))
            {
                var suggestion = Spelling.Suggest(type, [.. ResourceKinds.Names]);
                Error(Join(path, "type"), $"Unknown type '{type}'.",
                    suggestion is null ? $"Use one of: {string.Join(", ", ResourceKinds.Names)}." : $"Did you mean '{suggestion}'? Types are: {string.Join(", ", ResourceKinds.Names)}.");
            }

            // Every kind's fields are read here for their shape (a flag is true or false, anything else a scalar);
            // whether a field belongs to this resource's kind, and its value is allowed, is the validator's call.
            var fields = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var field in ResourceKinds.FieldNames)
            {
                var owners = ResourceKinds.FieldOwners[field];
                if (Get(node, path, field) is null)
                {
                    continue;
                }

                var definition = (kind?.Fields.FirstOrDefault(f => f.Name == field)) ?? owners[0].Fields.First(f => f.Name == field);
                var value = definition.IsFlag
                    ? OptionalBool(node, path, field) is { } flag ? flag ? "true" : "false" : null
                    : OptionalScalarText(node, path, field);
                if (value is not null)
                {
                    fields[field] = value;
                }
            }

            return kind is null ? (null, name) : (new ResourceSpec(name ?? "", kind.Name, fields.ToImmutable()), name);
        }

        private ImmutableSortedDictionary<string, EnvValue> ReadEnv(JsonObject node, string path)
        {
            var result = ImmutableSortedDictionary.CreateBuilder<string, EnvValue>(StringComparer.Ordinal);
            if (OptionalObject(node, path, "env") is not { } env)
            {
                return result.ToImmutable();
            }

            foreach (var (key, value) in env)
            {
                var valuePath = $"{path}.env.{key}";
                switch (value)
                {
                    case JsonValue scalar when ScalarText(scalar) is { } text:
                        result[key] = EnvValue.Plain(text);
                        break;
                    case JsonObject secret when secret.Count == 1 && secret["secret"] is JsonValue s && ScalarText(s) is { } secretText:
                        result[key] = EnvValue.Secret(secretText);
                        break;
                    case JsonObject masked when SpecWriter.IsMaskedSecret(masked):
                        Error(valuePath, "{ secret: { unchanged: true } } keeps the value stored for this secret, and there is none stored here.",
                            "Write the secret's value as { secret: <value> }; the unchanged form works only in an update (PUT) of an environment that has this secret.");
                        break;
                    case JsonObject other:
                        Error(valuePath, $"Unknown value form with field(s) {string.Join(", ", other.Select(p => $"'{p.Key}'"))}.", "Write a plain value, or { secret: <value> } for a secret.");
                        break;
                    default:
                        Error(valuePath, "An environment variable needs a value.", "Write a string, or { secret: <value> } for a secret.");
                        break;
                }
            }

            return result.ToImmutable();
        }

        private ImmutableSortedDictionary<string, string> ReadStringMap(JsonObject node, string path, string field)
        {
            var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (OptionalObject(node, path, field) is not { } map)
            {
                return result.ToImmutable();
            }

            foreach (var (key, value) in map)
            {
                if (value is JsonValue v && ScalarText(v) is { } text)
                {
                    result[key] = text;
                }
                else
                {
                    Error($"{path}.{field}.{key}", "Expected a string.", "Write the label's value as a string.");
                }
            }

            return result.ToImmutable();
        }

        private (List<(int Index, T Item)> Read, List<string> Unread, int Skipped) ReadList<T>(JsonObject node, string path, string field, Func<JsonObject, string, (T? Item, string? Name)> read)
            where T : class
        {
            var items = new List<(int, T)>();
            var unread = new List<string>();
            var skipped = 0;
            switch (Get(node, path, field))
            {
                case null:
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        var itemPath = $"{path}.{field}[{i}]";
                        if (array[i] is JsonObject item)
                        {
                            var (parsed, name) = read(item, itemPath);
                            if (parsed is not null)
                            {
                                items.Add((i, parsed));
                            }
                            else
                            {
                                skipped++;
                                if (name is not null)
                                {
                                    unread.Add(name);
                                }
                            }
                        }
                        else
                        {
                            skipped++;
                            Error(itemPath, "Expected a mapping.", "Write each entry as a mapping with at least 'name' and 'type'.");
                        }
                    }

                    break;
                default:
                    skipped++;
                    Error($"{path}.{field}", "Expected a list.", $"Write '{field}' as a list of mappings.");
                    break;
            }

            return (items, unread, skipped);
        }

        private ImmutableArray<string> ReadStrings(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return [];
                case JsonArray array:
                    var items = ImmutableArray.CreateBuilder<string>();
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is JsonValue v && ScalarText(v) is { } text)
                        {
                            items.Add(text);
                        }
                        else
                        {
                            Error($"{path}.{field}[{i}]", "Expected a string.", $"Write each entry of '{field}' as a string.");
                        }
                    }

                    return items.ToImmutable();
                default:
                    Error($"{path}.{field}", "Expected a list of strings.", $"Write '{field}' as a list, e.g. [a, b].");
                    return [];
            }
        }

        private void CheckFields(JsonObject node, string path, string[] known)
        {
            foreach (var (key, _) in node)
            {
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    var suggestion = Spelling.Suggest(key, known);
                    if (suggestion is not null && node[suggestion] is null)
                    {
                        _misspelt.TryAdd(Join(path, suggestion), key);
                    }

                    Error(Join(path, key), $"Unknown field '{key}'.",
                        suggestion is null
                            ? $"Remove it; known fields here are: {string.Join(", ", known)}."
                            : $"Did you mean '{suggestion}'? Known fields here are: {string.Join(", ", known)}.");
                }
            }
        }

        private string? RequiredString(JsonObject node, string path, string field)
        {
            if (Get(node, path, field) is null)
            {
                Error(Join(path, field), $"'{field}' is required.", $"Add '{field}'.");
                return null;
            }

            return OptionalString(node, path, field);
        }

        private string? OptionalString(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return null;
                case JsonValue v when v.TryGetValue(out string? s):
                    return s;
                default:
                    Error(Join(path, field), "Expected a string.", $"Write '{field}' as a string (quote it if needed).");
                    return null;
            }
        }

        private string? OptionalScalarText(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return null;
                case JsonValue v when ScalarText(v) is { } text:
                    return text;
                default:
                    Error(Join(path, field), "Expected a string.", $"Write '{field}' as a string.");
                    return null;
            }
        }

        // Quantities may be written as YAML numbers (cpu: 1, cpu: 0.5); keep their text.
        private string? OptionalQuantity(JsonObject node, string path, string field) => OptionalScalarText(node, path, field);

        private int? RequiredInt(JsonObject node, string path, string field)
        {
            if (Get(node, path, field) is null)
            {
                Error(Join(path, field), $"'{field}' is required.", $"Add '{field}' as a whole number.");
                return null;
            }

            return OptionalInt(node, path, field);
        }

        private int? OptionalInt(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return null;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number && WholeNumber(v) is { } l:
                    if (l is < int.MinValue or > int.MaxValue)
                    {
                        Error(Join(path, field), $"{l} is out of range.", $"Write '{field}' as a small whole number.");
                        return null;
                    }

                    return (int)l;
                default:
                    Error(Join(path, field), "Expected a whole number.", $"Write '{field}' as a number without quotes, e.g. 8080.");
                    return null;
            }
        }

        private bool? OptionalBool(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return null;
                case JsonValue v when v.TryGetValue(out bool b):
                    return b;
                default:
                    Error(Join(path, field), "Expected true or false.", $"Write '{field}: true' or '{field}: false'.");
                    return null;
            }
        }

        private JsonObject? RequiredObject(JsonObject node, string path, string field)
        {
            if (Get(node, path, field) is null)
            {
                Error(Join(path, field), $"'{field}' is required.", $"Add a '{field}' mapping.");
                return null;
            }

            return OptionalObject(node, path, field);
        }

        private JsonObject? OptionalObject(JsonObject node, string path, string field)
        {
            switch (Get(node, path, field))
            {
                case null:
                    return null;
                case JsonObject o:
                    return o;
                default:
                    Error(Join(path, field), "Expected a mapping.", $"Write '{field}' as a mapping of keys to values.");
                    return null;
            }
        }

        private TEnum? RequiredEnum<TEnum>(JsonObject node, string path, string field)
            where TEnum : struct, Enum
        {
            var allowed = Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToArray();
            var text = RequiredString(node, path, field);
            if (text is null)
            {
                return null;
            }

            if (allowed.Contains(text, StringComparer.Ordinal) && Enum.TryParse<TEnum>(text, ignoreCase: true, out var value))
            {
                return value;
            }

            var suggestion = Spelling.Suggest(text, allowed);
            Error(Join(path, field), $"Unknown {field} '{text}'.",
                suggestion is null ? $"Use one of: {string.Join(", ", allowed)}." : $"Did you mean '{suggestion}'? Use one of: {string.Join(", ", allowed)}.");
            return null;
        }

        // A number node may hold a long (from YAML) or a JSON element (from JSON text); both read as decimal.
        private static long? WholeNumber(JsonValue value) =>
            value.TryGetValue(out long l) ? l
            : value.TryGetValue(out decimal d) && d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue ? (long)d
            : null;

        private static string? ScalarText(JsonValue value) => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };

        private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";
    }
}

/// <summary>The outcome of parsing a spec.</summary>
/// <param name="Spec">The spec, when the text had no structural errors.</param>
/// <param name="Errors">Every structural error.</param>
public sealed record SpecParseResult(EnvironmentSpec? Spec, ImmutableArray<SpecError> Errors)
{
    /// <summary>What could be read of a spec with structural errors, so its other problems are found in the same pass.</summary>
    internal SpecDraft? Draft { get; init; }
}

/// <summary>
/// The readable part of a spec with structural errors: entries whose type could not be read are left out (their
/// names still count as declared), missing text reads as empty, and an unreadable tier skips the tier's guardrails.
/// </summary>
/// <param name="Spec">The spec as far as it could be read.</param>
/// <param name="TierKnown">Whether the tier was read (tier guardrails are checked only then).</param>
/// <param name="ServiceIndexes">Each read service's index in the document, for error paths.</param>
/// <param name="ResourceIndexes">Each read resource's index in the document.</param>
/// <param name="UnreadNames">Names of services and resources left out, which <c>uses</c> may still name.</param>
/// <param name="Skipped">How many entries were left out.</param>
/// <param name="ErrorPaths">Paths the parser reported: the validator's findings at or below them are repeats.</param>
internal sealed record SpecDraft(
    EnvironmentSpec Spec,
    bool TierKnown,
    ImmutableArray<int> ServiceIndexes,
    ImmutableArray<int> ResourceIndexes,
    ImmutableArray<string> UnreadNames,
    int Skipped,
    ImmutableArray<string> ErrorPaths)
{
    /// <summary>Whether <paramref name="path"/> is at or below a path the parser already reported.</summary>
    public bool Reported(string path) => ErrorPaths.Any(reported =>
        reported.Length == 0 || path == reported ||
        (path.StartsWith(reported, StringComparison.Ordinal) && path.Length > reported.Length && path[reported.Length] is '.' or '['));
}
