using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.Documents;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Environments;

/// <summary>
/// Lets an update send back the spec a GET returned: every secret there is masked as
/// <c>{ secret: { unchanged: true } }</c>, and here each masked secret takes the value stored for the same service and
/// variable, so GET → edit → PUT keeps secrets without the caller ever seeing them.
/// </summary>
public static class SecretCarryOver
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// <paramref name="specText"/> with every masked secret replaced by the stored value (the text unchanged when it
    /// has none), or the errors for masked secrets that have no stored value to keep.
    /// </summary>
    /// <param name="specText">The update's spec text (YAML or JSON).</param>
    /// <param name="stored">The environment's stored spec, with its secret values.</param>
    public static (string Text, ImmutableArray<SpecError> Errors) Resolve(string specText, EnvironmentSpec? stored)
    {
        ArgumentNullException.ThrowIfNull(specText);
        JsonNode? root;
        try
        {
            root = SpecParser.ReadDocument(specText);
        }
        catch (DocumentFormatException)
        {
            return (specText, []); // The parser reports the syntax error.
        }

        if (root?["spec"]?["services"] is not JsonArray services)
        {
            return (specText, []);
        }

        var errors = ImmutableArray.CreateBuilder<SpecError>();
        var changed = false;
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is not JsonObject service || service["env"] is not JsonObject env)
            {
                continue;
            }

            var name = service["name"] is JsonValue n && n.TryGetValue(out string? text) ? text : null;
            foreach (var key in env.Select(p => p.Key).ToList())
            {
                if (!SpecWriter.IsMaskedSecret(env[key]))
                {
                    continue;
                }

                var kept = stored?.Services.FirstOrDefault(s => s.Name == name)?.Env.GetValueOrDefault(key);
                if (kept is { IsSecret: true })
                {
                    env[key] = new JsonObject { ["secret"] = kept.Value };
                    changed = true;
                }
                else
                {
                    errors.Add(new SpecError($"spec.services[{i}].env.{key}",
                        $"{{ secret: {{ unchanged: true }} }} keeps the stored secret, but service '{name}' has no secret '{key}' stored.",
                        "Write the secret's value as { secret: <value> }."));
                }
            }
        }

        return (changed ? root.ToJsonString(Indented) : specText, errors.ToImmutable());
    }
}
