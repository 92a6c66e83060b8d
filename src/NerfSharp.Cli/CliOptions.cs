using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NerfSharp.Cli;

/// <summary>
/// Factories of the typed <c>--name value</c> options that commands declare: numbers parsed with the invariant culture,
/// flags that work bare (<c>--video</c>) or with a value (<c>--white_bkgd True</c>, nerf-pytorch style), and a parse error
/// that is one sentence naming the flag.
/// </summary>
public static class CliOptions
{
    /// <summary>One value per occurrence; an option given twice keeps the last value, as argparse and nerf-pytorch do.</summary>
    private static readonly ArgumentArity LastWins = new(1, 64);

    /// <summary>A text option (a path, a name); <paramref name="aliases"/> are other spellings, e.g. <c>--render_factor</c>.</summary>
    public static Option<string?> Text(string name, string description, string? helpName = null, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName, CustomParser = Last, Arity = LastWins };

    /// <summary>A text option with a default value shown in the help.</summary>
    public static Option<string> TextWithDefault(string name, string description, string defaultValue, string? helpName, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue, CustomParser = Last, Arity = LastWins };

    /// <summary>A text option the command cannot do without.</summary>
    public static Option<string> RequiredText(string name, string description, string? helpName = null, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName, Required = true, CustomParser = Last, Arity = LastWins };

    /// <summary>An integer option with a default value shown in the help.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseInt(r, name), Arity = LastWins };

    /// <summary>An integer option that is null when not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = "N", CustomParser = r => ParseInt(r, name), Arity = LastWins };

    /// <summary>A number option with a default value shown in the help.</summary>
    public static Option<double> Double(string name, string description, double defaultValue, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = "X", DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseDouble(r, name), Arity = LastWins };

    /// <summary>A number option that is null when not given.</summary>
    public static Option<double?> OptionalDouble(string name, string description, string helpName = "X", params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName, CustomParser = r => ParseDouble(r, name), Arity = LastWins };

    /// <summary>A switch: <c>--name</c> alone or <c>--name true|false</c> (System.CommandLine gives a switch only a value it reads as a boolean).</summary>
    public static Option<bool> Flag(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, Arity = ArgumentArity.ZeroOrOne, CustomParser = r => ParseFlag(r, name) };

    /// <summary>Whether <paramref name="value"/> spells true (<c>true</c>, <c>1</c>, <c>yes</c>) or false; null when it is neither.</summary>
    public static bool? ParseBoolean(string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => null,
    };

    private static string Last(ArgumentResult result) => result.Tokens[^1].Value;

    private static int ParseInt(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        result.AddError($"{Typed(result, name)} expects an integer, got '{text}'");
        return 0;
    }

    private static double ParseDouble(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }

        result.AddError($"{Typed(result, name)} expects a number, got '{text}'");
        return 0;
    }

    private static bool ParseFlag(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0)
        {
            return true;
        }

        string text = result.Tokens[^1].Value;
        if (ParseBoolean(text) is bool value)
        {
            return value;
        }

        result.AddError($"{Typed(result, name)} is a switch: give it alone or with true/false, not '{text}'");
        return false;
    }

    /// <summary>The flag as the user spelled it (an alias such as --render_factor), else its name.</summary>
    private static string Typed(ArgumentResult result, string name) => (result.Parent as OptionResult)?.IdentifierToken?.Value ?? name;
}
