using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Components.SpecDocuments;

namespace Platform.AutomationApi.Deployments;

/// <summary>
/// Changes to a stored spec text that keep everything else exactly as the team wrote it: the spec is read into its
/// JSON form (YAML and JSON specs alike), the one field is changed, and the result is the spec as JSON. Secret values
/// stay where they were, so the edited text is protected like any submitted spec.
/// </summary>
public static class SpecEdits
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Sets <paramref name="service"/>'s image and applies <paramref name="env"/> changes (a string sets a plain
    /// value, <c>{ "secret": "…" }</c> a secret one, <c>null</c> removes the variable).
    /// </summary>
    /// <returns>The edited spec, or <see langword="null"/> when the spec declares no such service.</returns>
    public static string? Deploy(string specText, string service, string image, JsonObject? env)
    {
        var root = Read(specText);
        if (FindService(root, service) is not { } target)
        {
            return null;
        }

        target["image"] = image;
        if (env is { Count: > 0 })
        {
            var variables = target["env"] as JsonObject ?? [];
            foreach (var (name, value) in env)
            {
                if (value is null)
                {
                    variables.Remove(name);
                }
                else
                {
                    variables[name] = value.DeepClone();
                }
            }

            target["env"] = variables;
        }

        return root.ToJsonString(Indented);
    }

    /// <summary>
    /// The variables of <paramref name="service"/> that <paramref name="env"/> would turn from secret (<c>{ "secret": … }</c>)
    /// to a plain value, which would then be stored and deployed in plain text.
    /// </summary>
    public static IReadOnlyList<string> SecretsMadePlain(string specText, string service, JsonObject? env)
    {
        if (env is not { Count: > 0 } || FindService(Read(specText), service)?["env"] is not JsonObject variables)
        {
            return [];
        }

        return [.. env.Where(change => change.Value is JsonValue && variables[change.Key] is JsonObject declared && declared.ContainsKey("secret")).Select(change => change.Key)];
    }

    /// <summary>The image of each named service of <paramref name="specText"/>, as declared (missing names are left out).</summary>
    public static IReadOnlyDictionary<string, string> Images(string specText)
    {
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Read(specText)["spec"]?["services"] is JsonArray services)
        {
            foreach (var item in services.OfType<JsonObject>())
            {
                if (item["name"] is JsonValue name && name.TryGetValue<string>(out var n) &&
                    item["image"] is JsonValue image && image.TryGetValue<string>(out var i))
                {
                    images[n] = i;
                }
            }
        }

        return images;
    }

    /// <summary>Sets the image of each service in <paramref name="images"/>; every name must be declared.</summary>
    public static string WithImages(string specText, IReadOnlyDictionary<string, string> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var root = Read(specText);
        foreach (var (service, image) in images)
        {
            var target = FindService(root, service) ?? throw new ArgumentException($"The spec declares no service '{service}'.", nameof(images));
            target["image"] = image;
        }

        return root.ToJsonString(Indented);
    }

    /// <summary>The index of <paramref name="service"/> in the spec's services, or -1.</summary>
    public static int IndexOf(string specText, string service)
    {
        if (Read(specText)["spec"]?["services"] is not JsonArray services)
        {
            return -1;
        }

        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is JsonObject item && item["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == service)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonObject Read(string specText) =>
        SpecParser.ReadDocument(specText) as JsonObject ?? throw new FormatException("A stored spec is a mapping.");

    private static JsonObject? FindService(JsonObject root, string service) =>
        (root["spec"]?["services"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(s => s["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == service);
}
