using System.CommandLine;
using System.CommandLine.Parsing;

namespace NerfSharp.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into the one sentence <c>nerf</c> prints: what is wrong, naming the flag or
/// argument as typed, and where the help is (<c>see 'nerf train --help'</c>).
/// </summary>
public static class ParseErrorMessage
{
    /// <summary>The sentence for the first problem of <paramref name="parse"/>, which has at least one error.</summary>
    public static string Describe(ParseResult parse)
    {
        string path = CommandPath(parse.CommandResult);
        string hint = $"(see '{path} --help')";
        Command command = parse.CommandResult.Command;
        if (command.TreatUnmatchedTokensAsErrors && parse.UnmatchedTokens.Count > 0)
        {
            string token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                return $"unknown option '{token}' for '{path}' {hint}";
            }

            return command.Subcommands.Count > 0
                ? $"unknown command '{token}' for '{path}' {hint}"
                : $"unexpected argument '{token}' for '{path}' {hint}";
        }

        ParseError error = parse.Errors[0];
        OptionResult? option = error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult;
        if (option != null && option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0 && option.IdentifierToken != null)
        {
            return $"{option.IdentifierToken.Value} needs a value {hint}";
        }

        string message = error.Message.TrimEnd('.');
        return $"{char.ToLowerInvariant(message[0])}{message[1..]} {hint}";
    }

    /// <summary>"nerf process images" for the command that <paramref name="result"/> parsed.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r != null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                names.Insert(0, c.Command is RootCommand ? "nerf" : c.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
