using System.Collections;
using System.Collections.Immutable;
using System.Globalization;

namespace Platform.Components.Pulumi;

/// <summary>
/// The path of a value inside a resource's outputs, as plan references write it: <c>arn</c>, <c>metadata.name</c>,
/// <c>status.loadBalancer.ingress[0].hostname</c>, <c>metadata.annotations["eks.amazonaws.com/role-arn"]</c>.
/// The first segment is the output property the engine returns; the rest navigates into its value.
/// </summary>
internal sealed record OutputPath(string Property, ImmutableArray<object> Rest)
{
    /// <summary>Parses a reference's property path.</summary>
    /// <exception cref="FormatException">The path is empty or malformed.</exception>
    public static OutputPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = new List<object>();
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                if (i == 0 || i == path.Length - 1)
                {
                    throw Malformed(path);
                }

                i++;
            }

            if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    throw Malformed(path);
                }

                var inner = path[(i + 1)..close];
                if (inner.Length >= 2 && inner[0] == '"' && inner[^1] == '"')
                {
                    segments.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(index);
                }
                else
                {
                    throw Malformed(path);
                }

                i = close + 1;
                continue;
            }

            var end = path.IndexOfAny(['.', '['], i);
            end = end < 0 ? path.Length : end;
            if (end == i)
            {
                throw Malformed(path);
            }

            segments.Add(path[i..end]);
            i = end;
        }

        if (segments.Count == 0 || segments[0] is not string property)
        {
            throw Malformed(path);
        }

        return new OutputPath(property, [.. segments.Skip(1)]);
    }

    /// <summary>
    /// The value at <see cref="Rest"/> inside <paramref name="value"/> (the output property's value), or
    /// <see langword="null"/> when any step is missing (as during a preview, before the resource exists).
    /// </summary>
    public object? Navigate(object? value)
    {
        foreach (var segment in Rest)
        {
            value = (segment, value) switch
            {
                (string key, IDictionary map) => map.Contains(key) ? map[key] : null,
                (int index, IList list) => index < list.Count ? list[index] : null,
                _ => null,
            };
        }

        return value;
    }

    private static FormatException Malformed(string path) =>
        new($"'{path}' is not an output path; write property names separated by '.', list indexes as [0] and keys with dots as [\"a.b\"].");
}
