using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// Writes a spec back as the <c>platform/v1</c> document a team sends: the fields the parser reads, in its order,
/// nothing it does not (no defaults filled in, no derived values, no nulls), so GET → edit → PUT round-trips. Secret
/// values can be masked as <see cref="MaskedSecret"/>, the form an update accepts as "keep the stored value".
/// </summary>
public static class SpecWriter
{
    /// <summary>The field of a masked secret: <c>KEY: { secret: { unchanged: true } }</c>.</summary>
    public const string UnchangedField = "unchanged";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// A masked secret as documents show it, <c>{ "secret": { "unchanged": true } }</c>: sent back in an update
    /// (<c>PUT</c>), it keeps the value stored for that variable.
    /// </summary>
    public static JsonObject MaskedSecret() => new() { ["secret"] = new JsonObject { [UnchangedField] = true } };

    /// <summary>Whether <paramref name="value"/> is the masked form of a secret (see <see cref="MaskedSecret"/>).</summary>
    public static bool IsMaskedSecret(JsonNode? value) =>
        value is JsonObject { Count: 1 } form && form["secret"] is JsonObject { Count: 1 } inner &&
        inner[UnchangedField] is JsonValue flag && flag.TryGetValue(out bool unchanged) && unchanged;

    /// <summary>The spec as its document tree.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="maskSecrets">Whether secret values are written as <see cref="MaskedSecret"/> (as every response does).</param>
    public static JsonObject ToDocument(EnvironmentSpec spec, bool maskSecrets = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var metadata = new JsonObject
        {
            ["name"] = spec.Metadata.Name,
            ["team"] = spec.Metadata.Team,
            ["costCenter"] = spec.Metadata.CostCenter,
        };
        if (!spec.Metadata.Labels.IsEmpty)
        {
            metadata["labels"] = Map(spec.Metadata.Labels.Select(l => (l.Key, (JsonNode?)l.Value)));
        }

        var body = new JsonObject
        {
            ["tier"] = Ownership.TierName(spec.Tier),
            ["target"] = spec.Target,
        };
        if (spec.Ttl is { } ttl)
        {
            body["ttl"] = SpecParser.FormatDuration(ttl);
        }

        if (!spec.Services.IsEmpty)
        {
            body["services"] = new JsonArray([.. spec.Services.Select(s => (JsonNode)Service(s, maskSecrets))]);
        }

        if (!spec.Resources.IsEmpty)
        {
            body["resources"] = new JsonArray([.. spec.Resources.Select(r => (JsonNode)Resource(r))]);
        }

        return new JsonObject
        {
            ["apiVersion"] = EnvironmentSpec.ApiVersion,
            ["kind"] = EnvironmentSpec.Kind,
            ["metadata"] = metadata,
            ["spec"] = body,
        };
    }

    /// <summary>The spec as indented JSON text.</summary>
    /// <inheritdoc cref="ToDocument" path="/param"/>
    public static string ToJson(EnvironmentSpec spec, bool maskSecrets = true) =>
        ToDocument(spec, maskSecrets).ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    /// <summary>The spec as YAML text (block style, strings quoted only where YAML would read them as something else).</summary>
    /// <inheritdoc cref="ToDocument" path="/param"/>
    public static string ToYaml(EnvironmentSpec spec, bool maskSecrets = true) => YamlJson.Write(ToDocument(spec, maskSecrets));

    private static JsonObject Service(ServiceSpec service, bool maskSecrets)
    {
        var node = new JsonObject
        {
            ["name"] = service.Name,
            ["type"] = service.Type.ToString().ToLowerInvariant(),
            ["image"] = service.Image,
        };
        if (service.Port is { } port)
        {
            node["port"] = port;
        }

        if (service.Host is { } host)
        {
            node["host"] = host;
        }

        if (!service.Env.IsEmpty)
        {
            node["env"] = Map(service.Env.Select(e => (e.Key, e.Value.IsSecret
                ? maskSecrets ? MaskedSecret() : new JsonObject { ["secret"] = e.Value.Value }
                : (JsonNode?)e.Value.Value)));
        }

        if (!service.Uses.IsEmpty)
        {
            node["uses"] = Strings(service.Uses);
        }

        if (service.Replicas is { } replicas)
        {
            node["replicas"] = new JsonObject { ["min"] = replicas.Min, ["max"] = replicas.Max };
        }

        if (service.Resources is { } resources && (resources.Cpu is not null || resources.Memory is not null))
        {
            var compute = new JsonObject();
            if (resources.Cpu is { } cpu)
            {
                compute["cpu"] = cpu;
            }

            if (resources.Memory is { } memory)
            {
                compute["memory"] = memory;
            }

            node["resources"] = compute;
        }

        if (service.Schedule is { } schedule)
        {
            node["schedule"] = schedule;
        }

        if (service.HealthPath is { } healthPath)
        {
            node["healthPath"] = healthPath;
        }

        if (!service.Command.IsEmpty)
        {
            node["command"] = Strings(service.Command);
        }

        if (!service.Args.IsEmpty)
        {
            node["args"] = Strings(service.Args);
        }

        return node;
    }

    private static JsonObject Resource(ResourceSpec resource)
    {
        var node = new JsonObject { ["name"] = resource.Name, ["type"] = resource.Type };
        if (!ResourceKinds.TryGet(resource.Type, out var kind))
        {
            // A spec built in code may name a type no kind has (the validator says so): written as given.
            foreach (var (field, value) in resource.Fields)
            {
                node[field] = value;
            }

            return node;
        }

        foreach (var field in kind.Fields)
        {
            if (resource.Field(field.Name) is { } value)
            {
                node[field.Name] = field.IsFlag ? value == "true" : value;
            }
        }

        return node;
    }

    private static JsonObject Map(IEnumerable<(string Key, JsonNode? Value)> entries)
    {
        var map = new JsonObject();
        foreach (var (key, value) in entries)
        {
            map[key] = value;
        }

        return map;
    }

    private static JsonArray Strings(ImmutableArray<string> items) => new([.. items.Select(i => (JsonNode?)i)]);
}
