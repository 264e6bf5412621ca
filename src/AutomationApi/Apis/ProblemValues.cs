using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Keeps what a problem quotes back short. Messages quote the value at fault ('…'), and that value is the caller's: a
/// 500 KB image or ttl would come back whole, once per message. Every problem the service writes passes through
/// <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>, so this is the one place that bounds them all: a quoted
/// value keeps its first <see cref="MaxQuoted"/> characters and an ellipsis, a field path its first
/// <see cref="MaxQuoted"/> characters likewise, and a message that is still longer than <see cref="MaxMessage"/> (its
/// value held quotes of its own) keeps its start and its end, where the fix is.
/// </summary>
internal static class ProblemValues
{
    /// <summary>The most characters of a quoted value (or a field path) a problem repeats.</summary>
    public const int MaxQuoted = 100;

    /// <summary>The longest message a problem carries; well above any the service writes for a spec within its limits.</summary>
    public const int MaxMessage = 32_000;

    private const char Ellipsis = '…';

    /// <summary>Registers <see cref="Bound(ProblemDetails)"/> after whatever customization is already configured.</summary>
    public static IServiceCollection AddBoundedProblemValues(this IServiceCollection services) =>
        services.Configure<ProblemDetailsOptions>(options =>
        {
            var before = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                before?.Invoke(context);
                Bound(context.ProblemDetails);
            };
        });

    /// <summary>Shortens the quoted values in <paramref name="problem"/>'s title, detail and errors (both forms).</summary>
    public static void Bound(ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.Title = problem.Title is null ? null : Shorten(problem.Title);
        problem.Detail = problem.Detail is null ? null : Shorten(problem.Detail);
        if (problem is HttpValidationProblemDetails validation)
        {
            var errors = Bound(validation.Errors);
            validation.Errors.Clear();
            foreach (var (field, messages) in errors)
            {
                validation.Errors[field] = messages;
            }
        }

        // Errors a handler of malformed requests (ClientErrors) puts in the extensions.
        if (problem.Extensions.TryGetValue("errors", out var extension) && extension is IDictionary<string, string[]> extended)
        {
            problem.Extensions["errors"] = Bound(extended);
        }
    }

    /// <summary>
    /// <paramref name="message"/> with every quoted value over <see cref="MaxQuoted"/> characters cut to that many and
    /// an ellipsis; then, when it is still over <see cref="MaxMessage"/>, its start and end around an ellipsis.
    /// </summary>
    public static string Shorten(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var shortened = message.Length <= MaxQuoted ? message : ShortenQuoted(message);
        if (shortened.Length <= MaxMessage)
        {
            return shortened;
        }

        // The end holds the fix ("… Pin a version tag"), so it stays; the cut never splits a surrogate pair.
        var head = Cut(shortened, (MaxMessage / 2) - 1);
        var tailStart = shortened.Length - ((MaxMessage / 2) - 1);
        tailStart += char.IsLowSurrogate(shortened[tailStart]) ? 1 : 0;
        return $"{head}{Ellipsis}{shortened[tailStart..]}";
    }

    private static Dictionary<string, string[]> Bound(IDictionary<string, string[]> errors)
    {
        var bounded = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in errors)
        {
            var key = field.Length <= MaxQuoted ? field : $"{Cut(field, MaxQuoted)}{Ellipsis}";
            var shortened = messages.Select(Shorten);
            bounded[key] = bounded.TryGetValue(key, out var earlier) ? [.. earlier, .. shortened] : [.. shortened];
        }

        return bounded;
    }

    // A quote opens where no letter or digit precedes it and closes where none follows, so an apostrophe inside a word
    // ("tier's") neither opens nor closes one.
    private static string ShortenQuoted(string message)
    {
        var text = new StringBuilder(message.Length);
        var at = 0;
        while (at < message.Length)
        {
            var open = message.IndexOf('\'', at);
            while (open > 0 && char.IsLetterOrDigit(message[open - 1]))
            {
                open = message.IndexOf('\'', open + 1);
            }

            var close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
            while (close >= 0 && close + 1 < message.Length && char.IsLetterOrDigit(message[close + 1]))
            {
                close = message.IndexOf('\'', close + 1);
            }

            if (close < 0)
            {
                break;
            }

            var value = message.AsSpan(open + 1, close - open - 1);
            text.Append(message, at, open + 1 - at);
            if (value.Length > MaxQuoted)
            {
                text.Append(Cut(value.ToString(), MaxQuoted)).Append(Ellipsis);
            }
            else
            {
                text.Append(value);
            }

            text.Append('\'');
            at = close + 1;
        }

        return text.Append(message, at, message.Length - at).ToString();
    }

    private static string Cut(string text, int length) =>
        text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
}
