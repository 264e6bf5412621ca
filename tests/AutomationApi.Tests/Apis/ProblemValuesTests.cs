using System.Net;
using System.Net.Http.Json;
using System.Text;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>
/// A problem quotes the value at fault, but never more than its first <see cref="ProblemValues.MaxQuoted"/> characters:
/// a 500 KB value came back whole in a 400 (once per message), whichever part of the service wrote the problem.
/// </summary>
public sealed class ProblemValuesTests
{
    private const int Huge = 500_000;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Requests() => ["spec image", "deploy image", "extend ttl", "name in the URL", "query value"];

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_huge_value_is_quoted_cut_to_its_start_and_an_ellipsis(string what)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        await factory.CreateAndWaitAsync(Specs.Dev("quote-dev"));
        var image = "registry.example.com/payments/" + new string('a', Huge);
        var name = new string('n', 5_000);

        using var response = what switch
        {
            "spec image" => await factory.PostSpecAsync(Specs.Dev("quote-new", image: image)),
            "deploy image" => await client.PostAsJsonAsync("/v1/environments/quote-dev/services/api/deploy", new { image }, Cancel),
            "extend ttl" => await client.PostAsJsonAsync("/v1/environments/quote-dev/extend", new { ttl = new string('9', Huge) + "x" }, Cancel),
            "name in the URL" => await client.GetAsync($"/v1/environments/{name}", Cancel),
            _ => await client.GetAsync($"/v1/environments?limit={new string('9', 5_000)}x", Cancel),
        };

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{response.StatusCode}");
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(body.Length < 2_000, $"{body.Length} characters: {body[..Math.Min(body.Length, 500)]}");
        var start = what switch
        {
            "spec image" or "deploy image" => image[..ProblemValues.MaxQuoted],
            "name in the URL" => name[..ProblemValues.MaxQuoted],
            _ => new string('9', ProblemValues.MaxQuoted),
        };
        Assert.Contains($"'{start}…'", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_values_over_the_limit_are_cut_and_words_with_apostrophes_are_left_alone()
    {
        var value = new string('v', 300);
        var cut = value[..ProblemValues.MaxQuoted] + "…";

        Assert.Equal("'abc' is not a duration.", ProblemValues.Shorten("'abc' is not a duration."));
        Assert.Equal($"'{cut}' and '{cut}', said the tier's rule.", ProblemValues.Shorten($"'{value}' and '{value}', said the tier's rule."));

        // An apostrophe inside the value neither ends the quote nor escapes the cut.
        Assert.Equal($"Environment 'it's-{value[..(ProblemValues.MaxQuoted - 5)]}…' changed.", ProblemValues.Shorten($"Environment 'it's-{value}' changed."));

        // No closing quote: nothing is taken for a value.
        Assert.Equal($"The tier's '{value}", ProblemValues.Shorten($"The tier's '{value}"));
    }

    [Fact]
    public void A_message_still_too_long_keeps_its_start_and_its_fix()
    {
        // A value of many short quoted parts is not one long quote; the message as a whole is bounded instead.
        var value = string.Concat(Enumerable.Repeat("x' y", 100_000));
        var message = $"'{value}' is not an image reference. Write registry/repository:tag.";

        var shortened = ProblemValues.Shorten(message);

        Assert.True(shortened.Length <= ProblemValues.MaxMessage, $"{shortened.Length}");
        Assert.StartsWith("'x' y", shortened, StringComparison.Ordinal);
        Assert.EndsWith("Write registry/repository:tag.", shortened, StringComparison.Ordinal);
        Assert.Contains("…", shortened, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var value = new string('v', ProblemValues.MaxQuoted - 1) + "😀" + new string('v', 50);

        var shortened = ProblemValues.Shorten($"'{value}' is bad.");

        Assert.Equal($"'{new string('v', ProblemValues.MaxQuoted - 1)}…' is bad.", shortened);
        Assert.Equal(shortened, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(shortened)));
    }
}
