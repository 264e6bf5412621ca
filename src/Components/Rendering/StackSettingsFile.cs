using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Components.Rendering;

/// <summary>
/// Updates a stack settings file (<c>Pulumi.&lt;stack&gt;.yaml</c>) without losing what Pulumi itself wrote there:
/// <c>pulumi config set --secret</c> stores encrypted values (<c>secure: ...</c>) and the passphrase salt
/// (<c>encryptionsalt</c>) in the same file, so overwriting it would make the stack's secrets unreadable.
/// </summary>
public static class StackSettingsFile
{
    /// <summary>
    /// Merges <paramref name="rendered"/> (from <see cref="RenderedProgram.StackSettings"/>) into
    /// <paramref name="existing"/>: config entries in <paramref name="rendered"/> replace those of the same key (in
    /// place) or are appended; every other config entry and every other top-level key is kept as it was.
    /// Comments in <paramref name="existing"/> are not kept. Without an existing file the result is <paramref name="rendered"/>.
    /// </summary>
    /// <exception cref="FormatException">The existing file is not a YAML mapping.</exception>
    public static string Merge(string? existing, string rendered)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        if (string.IsNullOrWhiteSpace(existing))
        {
            return rendered;
        }

        var current = Load(existing, "The existing stack settings file");
        var update = Load(rendered, "The rendered stack settings");
        foreach (var (key, value) in update.Children)
        {
            if (key is YamlScalarNode { Value: "config" } && value is YamlMappingNode config &&
                current.Children.TryGetValue(key, out var existingConfig) && existingConfig is YamlMappingNode target)
            {
                foreach (var (name, setting) in config.Children)
                {
                    target.Children[name] = setting;
                }
            }
            else
            {
                current.Children[key] = value;
            }
        }

        return YamlWriter.Write(current);
    }

    private static YamlMappingNode Load(string text, string what)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
                ? root
                : throw new FormatException($"{what} must hold one YAML mapping.");
        }
        catch (YamlException ex)
        {
            throw new FormatException($"{what} is not valid YAML (line {ex.Start.Line}): {ex.Message}", ex);
        }
    }
}
