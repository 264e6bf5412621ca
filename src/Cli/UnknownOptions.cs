using System.CommandLine;
using System.CommandLine.Parsing;
using Platform.Components.Documents;

namespace Platform.Cli;

/// <summary>
/// Finds words on the command line that look like options but name none of the command's. The parser binds such a
/// word to a free argument (<c>platform render --bogus</c> read <c>--bogus</c> as the spec's path) or reports it as an
/// unrecognised argument; either way the user mistyped an option and is told so, with the closest option it has.
/// </summary>
internal static class UnknownOptions
{
    /// <summary>One error line per unknown option, in command-line order; empty when there is none.</summary>
    public static IReadOnlyList<string> Find(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);

        // Option values are the user's to choose ('--limit -1' is refused by --limit itself), and everything after
        // '--' is an argument by definition, however it starts: only the words left over can be mistyped options.
        var optionValues = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        CollectOptionValues(result.RootCommandResult, optionValues);
        var known = KnownOptions(result.CommandResult);
        var errors = new List<string>();
        foreach (var token in result.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Type == TokenType.Argument && LooksLikeOption(token.Value) && !optionValues.Contains(token))
            {
                var name = token.Value.Split('=', 2)[0];
                errors.Add(Spelling.Suggest(name, known) is { } suggestion
                    ? $"Unknown option '{name}' for '{CommandPath(result.CommandResult)}'; did you mean '{suggestion}'?"
                    : $"Unknown option '{name}' for '{CommandPath(result.CommandResult)}'.");
            }
        }

        return errors;
    }

    /// <summary>The command as typed, e.g. <c>platform env get</c>, for "see its --help".</summary>
    public static string CommandPath(CommandResult command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult current; result = current.Parent)
        {
            names.Add(current.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    // '-' alone is stdin, and '-1h' (a negative number) is a value the command refuses in its own words.
    private static bool LooksLikeOption(string word) =>
        word.Length > 1 && word[0] == '-' && (word[1] == '-' || char.IsAsciiLetter(word[1]));

    private static void CollectOptionValues(CommandResult command, HashSet<Token> values)
    {
        foreach (var child in command.Children)
        {
            switch (child)
            {
                case OptionResult option:
                    values.UnionWith(option.Tokens);
                    break;
                case CommandResult subcommand:
                    CollectOptionValues(subcommand, values);
                    break;
            }
        }
    }

    // The long names a suggestion may offer: the command's own options and the recursive ones of its parents. Short
    // aliases (-h, -o) are left out: every one-letter typo would be "close" to them.
    private static string[] KnownOptions(CommandResult command)
    {
        var options = new List<Option>(command.Command.Options);
        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            options.AddRange(parent.Command.Options.Where(o => o.Recursive));
        }

        return options.Where(o => !o.Hidden)
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .Where(n => n.StartsWith("--", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
