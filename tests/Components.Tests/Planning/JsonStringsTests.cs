using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Platform.Components.Planning;

namespace Platform.Components.Tests.Planning;

/// <summary><see cref="JsonStrings"/> writes what <see cref="JsonSerializer"/> writes, and reads it back.</summary>
public sealed class JsonStringsTests
{
    // Quotes, backslashes, controls, HTML-sensitive characters, non-ASCII, astral characters.
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char["ab\"\\/<>&'+` \t\n\r\u0000\u001f\u007fé✓\u2028\ud83d\ude00"], 0, 12],
        Gen.String);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void A_string_is_quoted_as_the_serializer_quotes_it()
    {
        Text.Where(IsValidUtf16).Sample(text =>
        {
            Assert.Equal(JsonSerializer.Serialize(text), JsonStrings.Quote(text));
            Assert.Equal(JsonSerializer.Serialize(text, Relaxed), JsonStrings.Quote(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping));
        });
    }

    [Fact]
    public void A_list_is_written_as_the_serializer_writes_it_and_read_back()
    {
        Text.Where(IsValidUtf16).Array[0, 5].Sample(items =>
        {
            var json = JsonStrings.List(items);
            Assert.Equal(JsonSerializer.Serialize<IEnumerable<string>>(items), json);
            Assert.Equal(items, JsonStrings.ReadList(json));
        });
    }

    [Theory]
    [InlineData("null", 0)]
    [InlineData("[]", 0)]
    [InlineData("[\"a\",\"b\"]", 2)]
    public void Lists_are_read_as_the_serializer_reads_them(string json, int count)
    {
        Assert.Equal(JsonSerializer.Deserialize<string[]>(json) ?? [], JsonStrings.ReadList(json));
        Assert.Equal(count, JsonStrings.ReadList(json).Length);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"a\"")]
    [InlineData("[1]")]
    [InlineData("[\"a\",null]")]
    [InlineData("[\"a\"")]
    public void Anything_but_an_array_of_strings_is_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonStrings.ReadList(json));
    }

    // Lone surrogates cannot be written as JSON by either.
    private static bool IsValidUtf16(string text)
    {
        try
        {
            _ = Strict.GetByteCount(text);
            return true;
        }
        catch (System.Text.EncoderFallbackException)
        {
            return false;
        }
    }

    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
