using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Resources;
using Platform.Components.Specs;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// The JSON Schema (draft 2020-12) of an environment spec, generated from what the parser reads: its field tables
/// (every field the parser knows, and no other), the <see cref="Tier"/> and <see cref="ServiceType"/> values and the
/// registered <see cref="ResourceKinds"/> with their fields and allowed values. A field the parser reads without a
/// description here fails generation, so the schema and the parser cannot drift apart. Editors use it for YAML and
/// JSON completion; it checks shape, not the semantic rules (<see cref="SpecValidator"/>).
/// </summary>
public static class SpecSchema
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["apiVersion"] = $"Always {EnvironmentSpec.ApiVersion}.",
        ["kind"] = $"Always {EnvironmentSpec.Kind}.",
        ["metadata"] = "Who owns the environment and what it is called.",
        ["spec"] = "What the environment holds.",
        ["metadata.name"] = $"Environment name: DNS-safe, at most {SpecValidator.MaxEnvironmentNameLength} characters; also the Kubernetes namespace.",
        ["metadata.team"] = "Owning team; copied as a label/tag onto every resource.",
        ["metadata.costCenter"] = "Cost center charged; copied as a label/tag onto every resource.",
        ["metadata.labels"] = "Extra labels for every resource (not under platform.io/ or app.kubernetes.io/).",
        ["spec.tier"] = "Chooses every default and guardrail.",
        ["spec.target"] = $"Deployment target (cluster and cloud account) configured by the platform team; '{EnvironmentSpec.DefaultTarget}' always exists.",
        ["spec.ttl"] = "Lifetime such as 72h, 7d or 1d12h; at most the tier maximum; not allowed for prod. The tier default applies when absent.",
        ["spec.services"] = "Workloads that run on Kubernetes.",
        ["spec.resources"] = "Managed cloud resources.",
        ["service.name"] = $"DNS-safe name, unique among services and resources, at most {SpecValidator.MaxComponentNameLength} characters.",
        ["service.type"] = "web (HTTP, optionally public), worker (background) or cron (scheduled job).",
        ["service.image"] = "Pinned image: a tag other than latest, or a digest.",
        ["service.port"] = $"Container port (1024-65535); web services default to {ServiceSpec.DefaultWebPort}; not for cron.",
        ["service.host"] = "Web only: public host prefix: <host>.<environment>.<target base domain>, with TLS.",
        ["service.env"] = "Environment variables; { secret: value } marks a secret, and { secret: { unchanged: true } } (as GET shows secrets) keeps the stored value in an update.",
        ["service.uses"] = "Services and resources this one talks to: drives network policy, IAM and connection secrets.",
        ["service.replicas"] = "Autoscaling bounds within the tier's guardrails; the tier default when absent; not for cron.",
        ["service.resources"] = "CPU and memory requests (Kubernetes quantities) within the tier's guardrails.",
        ["service.schedule"] = "Cron only (and required there): five-field schedule or @hourly/@daily/@weekly/@monthly/@yearly.",
        ["service.healthPath"] = $"Web only: probe path (default {ServiceSpec.DefaultHealthPath}).",
        ["service.command"] = "Overrides the image's entrypoint.",
        ["service.args"] = "Overrides the image's arguments.",
        ["resource.name"] = $"DNS-safe name, unique among services and resources, at most {SpecValidator.MaxComponentNameLength} characters.",
        ["resource.type"] = "What the resource is.",
    };

    /// <summary>The fields each workload type accepts besides <c>name</c>, <c>type</c> and <c>image</c> (what <see cref="SpecValidator"/> allows).</summary>
    internal static IReadOnlyDictionary<ServiceType, string[]> ServiceTypeFields { get; } = new Dictionary<ServiceType, string[]>
    {
        [ServiceType.Web] = ["port", "host", "env", "uses", "replicas", "resources", "healthPath", "command", "args"],
        [ServiceType.Worker] = ["port", "env", "uses", "replicas", "resources", "command", "args"],
        [ServiceType.Cron] = ["env", "uses", "resources", "schedule", "command", "args"],
    };

    /// <summary>The schema as a JSON tree.</summary>
    public static JsonObject Build()
    {
        var top = Object("", SpecParser.TopFields, ["apiVersion", "kind", "metadata", "spec"], field => field switch
        {
            "apiVersion" => new JsonObject { ["const"] = EnvironmentSpec.ApiVersion },
            "kind" => new JsonObject { ["const"] = EnvironmentSpec.Kind },
            "metadata" => Metadata(),
            "spec" => Body(),
            _ => throw Missing(field),
        });
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "Platform environment spec (platform/v1)",
            ["description"] = "An environment an application team asks for: services, managed resources, tier and deployment target. " +
                              "Generated from the spec parser's own field tables.",
        };
        foreach (var (key, value) in top)
        {
            schema[key] = value?.DeepClone();
        }

        schema["$defs"] = new JsonObject { ["service"] = Service(), ["resource"] = Resource(), ["envValue"] = EnvValue() };
        return schema;
    }

    /// <summary>The schema as indented JSON text (what <c>/v1/schemas/environment.json</c> serves).</summary>
    public static string ToJson() => Build().ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    private static JsonObject Metadata() => Object("metadata", SpecParser.MetadataFields, ["name", "team", "costCenter"], field => field switch
    {
        "name" => Name(SpecValidator.MaxEnvironmentNameLength),
        "team" or "costCenter" => new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 63 },
        "labels" => new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
        _ => throw Missing($"metadata.{field}"),
    });

    private static JsonObject Body() => Object("spec", SpecParser.SpecFields, ["tier"], field => field switch
    {
        "tier" => Enum(Enum<Tier>()),
        "target" => new JsonObject { ["type"] = "string", ["default"] = EnvironmentSpec.DefaultTarget },
        "ttl" => new JsonObject { ["type"] = "string", ["pattern"] = "^([0-9]+[smhdw])+$", ["examples"] = new JsonArray("72h", "7d", "1d12h") },
        "services" => new JsonObject { ["type"] = "array", ["items"] = Ref("service") },
        "resources" => new JsonObject { ["type"] = "array", ["items"] = Ref("resource") },
        _ => throw Missing($"spec.{field}"),
    });

    private static JsonObject Service()
    {
        var service = Object("service", SpecParser.ServiceFields, ["name", "type", "image"], field => field switch
        {
            "name" => Name(SpecValidator.MaxComponentNameLength),
            "type" => Enum(Enum<ServiceType>()),
            "image" => new JsonObject { ["type"] = "string", ["minLength"] = 1, ["not"] = new JsonObject { ["pattern"] = ":latest$" } },
            "port" => new JsonObject { ["type"] = "integer", ["minimum"] = 1024, ["maximum"] = 65535 },
            "host" => new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z]([-a-z0-9]*[a-z0-9])?$", ["maxLength"] = 63 },
            "env" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("envValue") },
            "uses" or "command" or "args" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            "replicas" => new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("min", "max"),
                ["additionalProperties"] = false,
                ["properties"] = new JsonObject { ["min"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 }, ["max"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 } },
            },
            "resources" => new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["properties"] = new JsonObject { ["cpu"] = Quantity("250m"), ["memory"] = Quantity("512Mi") },
            },
            "schedule" => new JsonObject { ["type"] = "string", ["examples"] = new JsonArray("0 3 * * *", "@daily") },
            "healthPath" => new JsonObject { ["type"] = "string", ["pattern"] = "^/" },
            _ => throw Missing($"service.{field}"),
        });

        // Per workload type: the fields it does not accept are absent, and a cron job needs its schedule.
        var rules = new JsonArray();
        foreach (var (type, accepted) in ServiceTypeFields)
        {
            var refused = SpecParser.ServiceFields.Skip(3).Where(f => !accepted.Contains(f)).ToArray();
            var then = new JsonObject();
            if (refused.Length > 0)
            {
                then["not"] = new JsonObject { ["anyOf"] = new JsonArray([.. refused.Select(f => (JsonNode)new JsonObject { ["required"] = new JsonArray(f) })]) };
            }

            if (type == ServiceType.Cron)
            {
                then["required"] = new JsonArray("schedule");
            }

            rules.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = new JsonObject { ["const"] = Lower(type) } }, ["required"] = new JsonArray("type") },
                ["then"] = then,
            });
        }

        service["allOf"] = rules;
        return service;
    }

    private static JsonObject Resource()
    {
        var resource = Object("resource", SpecParser.ResourceFields, ["name", "type"], field => field switch
        {
            "name" => Name(SpecValidator.MaxComponentNameLength),
            "type" => Enum([.. ResourceKinds.Names]),
            _ => FieldSchema(ResourceKinds.FieldOwners[field].SelectMany(k => k.Fields).First(f => f.Name == field)),
        }, field => ResourceKinds.FieldOwners.TryGetValue(field, out var owners)
            ? $"{string.Join(" and ", owners.Select(k => k.Name))} only: " + owners[0].Fields.First(f => f.Name == field).Meaning
            : null);

        // Per kind: only its own fields, each with the values that kind accepts.
        var rules = new JsonArray();
        foreach (var kind in ResourceKinds.All)
        {
            var properties = new JsonObject();
            foreach (var field in kind.Fields)
            {
                properties[field.Name] = FieldSchema(field);
            }

            var foreign = ResourceKinds.FieldNames.Where(f => kind.Fields.All(k => k.Name != f)).ToArray();
            var then = new JsonObject { ["properties"] = properties };
            if (foreign.Length > 0)
            {
                then["not"] = new JsonObject { ["anyOf"] = new JsonArray([.. foreign.Select(f => (JsonNode)new JsonObject { ["required"] = new JsonArray(f) })]) };
            }

            rules.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = new JsonObject { ["const"] = kind.Name } }, ["required"] = new JsonArray("type") },
                ["then"] = then,
            });
        }

        resource["allOf"] = rules;
        return resource;
    }

    private static JsonObject EnvValue()
    {
        JsonNode Scalar() => new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") };
        return new JsonObject
        {
            ["description"] = Descriptions["service.env"],
            ["oneOf"] = new JsonArray(
                Scalar(),
                new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("secret"),
                    ["additionalProperties"] = false,
                    ["properties"] = new JsonObject
                    {
                        ["secret"] = new JsonObject
                        {
                            ["oneOf"] = new JsonArray(
                                Scalar(),
                                new JsonObject
                                {
                                    ["type"] = "object",
                                    ["required"] = new JsonArray(SpecWriter.UnchangedField),
                                    ["additionalProperties"] = false,
                                    ["properties"] = new JsonObject { [SpecWriter.UnchangedField] = new JsonObject { ["const"] = true } },
                                }),
                        },
                    },
                }),
        };
    }

    // A field's values as the parser reads them: flags are booleans; other values are scalar text, so a value that
    // looks like a number (a PostgreSQL version) may also be written as that number.
    private static JsonObject FieldSchema(ResourceField field)
    {
        if (field.IsFlag)
        {
            return new JsonObject { ["type"] = "boolean", ["description"] = field.Meaning, ["default"] = field.Default == "true" };
        }

        var values = new JsonArray();
        foreach (var value in field.Values)
        {
            values.Add(value);
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                values.Add(number);
            }
        }

        var schema = new JsonObject { ["description"] = field.Meaning };
        if (values.Count > 0)
        {
            schema["enum"] = values;
        }
        else
        {
            schema["type"] = new JsonArray("string", "number");
        }

        if (field.Default is { } fallback)
        {
            schema["default"] = fallback;
        }

        return schema;
    }

    private static JsonObject Object(string scope, IEnumerable<string> fields, string[] required, Func<string, JsonObject> schemaOf, Func<string, string?>? describe = null)
    {
        var properties = new JsonObject();
        foreach (var field in fields)
        {
            var schema = schemaOf(field);
            var key = scope.Length == 0 ? field : $"{scope}.{field}";
            var description = Descriptions.GetValueOrDefault(key) ?? describe?.Invoke(field) ?? throw Missing(key);
            schema["description"] ??= description;
            properties[field] = schema;
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]),
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
    }

    private static JsonObject Name(int maxLength) =>
        new() { ["type"] = "string", ["pattern"] = "^[a-z]([-a-z0-9]*[a-z0-9])?$", ["maxLength"] = maxLength };

    private static JsonObject Quantity(string example) =>
        new() { ["type"] = new JsonArray("string", "number"), ["examples"] = new JsonArray(example) };

    private static JsonObject Enum(string[] values) => new() { ["enum"] = new JsonArray([.. values.Select(v => (JsonNode)v)]) };

    private static string[] Enum<TEnum>()
        where TEnum : struct, System.Enum => [.. System.Enum.GetValues<TEnum>().Select(v => Lower(v))];

    private static string Lower<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => value.ToString().ToLowerInvariant();

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    private static InvalidOperationException Missing(string field) =>
        new($"The spec parser reads '{field}', which the schema does not describe: add it to {nameof(SpecSchema)}.");
}
