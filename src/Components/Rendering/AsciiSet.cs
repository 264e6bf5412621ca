namespace Platform.Components.Rendering;

/// <summary>
/// A set of ASCII characters as two 64-bit masks, for the scalar tests the renderer runs on every string of a program.
/// </summary>
/// <remarks>
/// Why not <see cref="System.Buffers.SearchValues{T}"/>: its searches are generic code that the runtime compiles when
/// first used (the shared framework's precompiled copy is not used on this machine's instruction set), so a
/// short-lived <c>platform render</c> ran them unoptimized — ≈3 % of its CPU at 1,000 services (perf, 2026-12-02). The
/// strings tested are short names, types and references, where a vectorised search gains nothing; this loop is
/// precompiled with the assembly.
/// </remarks>
internal readonly struct AsciiSet
{
    private readonly ulong _low;
    private readonly ulong _high;

    /// <summary>The set of <paramref name="characters"/>, which must all be ASCII.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A character is not ASCII.</exception>
    public AsciiSet(ReadOnlySpan<char> characters)
    {
        foreach (var c in characters)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(c, '\x7F', nameof(characters));
            if (c < 64)
            {
                _low |= 1UL << c;
            }
            else
            {
                _high |= 1UL << (c - 64);
            }
        }
    }

    /// <summary>Whether <paramref name="c"/> is in the set.</summary>
    public bool Contains(char c) => c < 64 ? (_low & (1UL << c)) != 0 : c < 128 && (_high & (1UL << (c - 64))) != 0;

    /// <summary>Whether every character of <paramref name="text"/> is in the set (true for empty text).</summary>
    public bool ContainsAll(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether any character of <paramref name="text"/> is in the set.</summary>
    public bool ContainsAny(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (Contains(c))
            {
                return true;
            }
        }

        return false;
    }
}
