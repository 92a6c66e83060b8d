namespace NerfSharp.Cli;

/// <summary>
/// <c>--key value</c> / <c>--flag</c> arguments after the command name. A flag followed by another
/// <c>--option</c> (or by nothing) reads as "True", as nerf-pytorch's store_true flags do.
/// Every option must be consumed by the command; leftovers are reported as unknown.
/// </summary>
public sealed class CliArguments
{
    private readonly List<KeyValuePair<string, string>> options = [];
    private readonly HashSet<int> used = [];

    public CliArguments(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                throw new ArgumentException($"unexpected argument '{a}' (options look like --name value)");
            }

            string key = a[2..];
            string value = "True";
            int eq = key.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else if (i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2 && !char.IsDigit(args[i + 1][2])))
            {
                value = args[++i];
            }

            options.Add(new(key, value));
        }
    }

    /// <summary>The last value given for any of <paramref name="names"/>, or null.</summary>
    public string? Take(params string[] names)
    {
        string? result = null;
        for (int i = 0; i < options.Count; i++)
        {
            if (names.Contains(options[i].Key))
            {
                result = options[i].Value;
                used.Add(i);
            }
        }

        return result;
    }

    /// <summary>Whether any of <paramref name="names"/> was given (does not mark it used).</summary>
    public bool Has(params string[] names)
    {
        for (int i = 0; i < options.Count; i++)
        {
            if (names.Contains(options[i].Key))
            {
                return true;
            }
        }

        return false;
    }

    public bool Flag(params string[] names)
    {
        string? v = Take(names);
        return v != null && v.ToLowerInvariant() is "true" or "1" or "yes";
    }

    public int? Int(params string[] names)
    {
        string? v = Take(names);
        if (v == null)
        {
            return null;
        }

        return int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int r)
            ? r
            : throw new ArgumentException($"--{names[0]} expects an integer, got '{v}'");
    }

    public double? Double(params string[] names)
    {
        string? v = Take(names);
        if (v == null)
        {
            return null;
        }

        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double r)
            ? r
            : throw new ArgumentException($"--{names[0]} expects a number, got '{v}'");
    }

    /// <summary>Options not taken yet, in order (used for nerf-pytorch config keys given as flags).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TakeRemaining()
    {
        var rest = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < options.Count; i++)
        {
            if (used.Add(i))
            {
                rest.Add(options[i]);
            }
        }

        return rest;
    }

    /// <summary>Throws naming the first option no one took.</summary>
    public void EnsureAllUsed(string command)
    {
        for (int i = 0; i < options.Count; i++)
        {
            if (!used.Contains(i))
            {
                throw new ArgumentException($"unknown option --{options[i].Key} for '{command}' (see nerf --help)");
            }
        }
    }
}
