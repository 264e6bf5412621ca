using System.Buffers;
using CsCheck;
using Platform.Components.Rendering;

namespace Platform.Components.Tests.Rendering;

/// <summary><see cref="AsciiSet"/> answers as <see cref="SearchValues{T}"/> of the same characters does, for every text.</summary>
public sealed class AsciiSetTests
{
    private const string Members = "abcXYZ019_-./,?[]{}:!~\x00\x7F";

    private static readonly AsciiSet Set = new(Members);
    private static readonly SearchValues<char> Reference = SearchValues.Create(Members);

    [Fact]
    public void Every_character_is_in_the_set_exactly_when_it_is_a_member()
    {
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            Assert.Equal(Reference.Contains(c), Set.Contains(c));
        }
    }

    [Fact]
    public void Whole_texts_are_tested_as_the_framework_tests_them()
    {
        // Mostly members, with non-members of every range mixed in: ASCII, Latin-1, the rest of the BMP.
        Gen.String[Gen.OneOf(Gen.Char[Members], Gen.Char['\0', '\x7F'], Gen.Char['\x80', '\xFF'], Gen.Char), 0, 12].Sample(text =>
        {
            Assert.Equal(!text.AsSpan().ContainsAnyExcept(Reference), Set.ContainsAll(text));
            Assert.Equal(text.AsSpan().ContainsAny(Reference), Set.ContainsAny(text));
        });
    }

    [Fact]
    public void A_set_of_non_ASCII_characters_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsciiSet("aé"));
    }
}
