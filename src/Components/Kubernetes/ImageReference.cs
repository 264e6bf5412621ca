using System.Text.RegularExpressions;

namespace Platform.Components.Kubernetes;

/// <summary>Reads the version out of a container image reference for the <c>app.kubernetes.io/version</c> label.</summary>
internal static partial class ImageReference
{
    private const int MaxLabelValue = 63;
    private const int DigestLabelLength = 12;

    /// <summary>
    /// The image's tag (<c>registry:5000/team/app:1.4.2</c> gives <c>1.4.2</c>); for an image pinned only by digest,
    /// the digest's first 12 hex characters (as <c>docker images</c> shows them). <see langword="null"/> when there is
    /// neither. The result is cut to 63 characters and trimmed to start and end alphanumeric, as label values must.
    /// </summary>
    public static string? VersionLabel(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? image : image[..at];
        var digest = at < 0 ? null : image[(at + 1)..];

        // The tag follows the last ':' after the last '/', so a registry port is never mistaken for a tag.
        var lastSegment = name[(name.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        var version = colon >= 0
            ? lastSegment[(colon + 1)..]
            : digest?.Split(':') is [_, var hex] ? hex[..Math.Min(DigestLabelLength, hex.Length)] : null;
        if (version is null)
        {
            return null;
        }

        version = NotLabelCharacters().Replace(version, "-");
        version = version[..Math.Min(MaxLabelValue, version.Length)].Trim('-', '_', '.');
        return version.Length == 0 ? null : version;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex NotLabelCharacters();
}
