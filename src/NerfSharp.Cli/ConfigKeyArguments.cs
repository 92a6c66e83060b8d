using System.CommandLine;

namespace NerfSharp.Cli;

/// <summary>
/// The <c>--KEY VALUE</c> / <c>--KEY=VALUE</c> / <c>--KEY</c> arguments a command did not declare as options, read as
/// run-config keys (nerf-pytorch's, e.g. <c>--N_rand 1024 --white_bkgd</c>, and NerfSharp's, e.g. <c>--log2_hashmap_size 18</c>).
/// A key followed by another <c>--option</c> (or by nothing) reads as "True", as nerf-pytorch's store_true flags do.
/// <see cref="RunConfigResolver.ApplyFlags"/> applies them; an unknown key is an error that names it.
/// </summary>
public static class ConfigKeyArguments
{
    /// <summary>Lets <paramref name="command"/> take config keys as flags: its unmatched tokens are read by <see cref="Read"/>.</summary>
    public static Command AcceptConfigKeys(this Command command)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        return command;
    }

    /// <summary>The keys and values of the unmatched tokens, in the order given.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(ParseResult parse) => Read(parse.UnmatchedTokens);

    /// <summary>Pairs <c>--key value</c> tokens; throws <see cref="ArgumentException"/> on a token that is not an option.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(IReadOnlyList<string> tokens)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            if (!IsOption(token))
            {
                throw new ArgumentException($"unexpected argument '{token}' (options look like --name value)");
            }

            string key = token[2..];
            string value = "True";
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else if (i + 1 < tokens.Count && !IsOption(tokens[i + 1]))
            {
                value = tokens[++i];
            }

            pairs.Add(new(key, value));
        }

        return pairs;
    }

    /// <summary><c>--name</c>, but not <c>--</c> alone nor a negative number such as <c>--5</c>.</summary>
    private static bool IsOption(string token) => token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2 && !char.IsDigit(token[2]);
}
