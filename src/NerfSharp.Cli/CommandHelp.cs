using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace NerfSharp.Cli;

/// <summary>
/// The help text convention of <c>nerf</c> commands: a command's description is one summary line (what <c>nerf --help</c>
/// lists), then an "Examples:" block and any notes that only the command's own <c>--help</c> shows.
/// </summary>
public static class CommandHelp
{
    /// <summary>A description made of a one-line summary, example command lines and optional notes.</summary>
    public static string Describe(string summary, string[] examples, string? notes = null)
    {
        var text = new System.Text.StringBuilder(summary);
        text.Append("\n\nExamples:");
        foreach (string example in examples)
        {
            text.Append("\n  ").Append(example);
        }

        if (notes != null)
        {
            text.Append("\n\n").Append(notes);
        }

        return text.ToString();
    }

    /// <summary>The first line of a description.</summary>
    public static string Summary(string? description)
    {
        string text = description ?? "";
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline];
    }

    /// <summary>Makes the help of <paramref name="root"/> (and of every command under it) list subcommands with their summary line only.</summary>
    public static void ListSummariesOnly(RootCommand root)
    {
        foreach (Option option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                helpOption.Action = new SummaryHelpAction(help);
            }
        }
    }

    /// <summary>System.CommandLine's help, with each subcommand's description cut to its first line while it is listed.</summary>
    private sealed class SummaryHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var subcommands = parseResult.CommandResult.Command.Subcommands;
            var saved = new string?[subcommands.Count];
            for (int i = 0; i < subcommands.Count; i++)
            {
                saved[i] = subcommands[i].Description;
                subcommands[i].Description = Summary(saved[i]);
            }

            // System.CommandLine's words for unmatched tokens fit a launcher; here they are config keys.
            TextWriter output = parseResult.InvocationConfiguration.Output;
            var text = new StringWriter();
            try
            {
                parseResult.InvocationConfiguration.Output = text;
                int code = inner.Invoke(parseResult);
                output.Write(text.ToString()
                    .Replace("[[--] <additional arguments>...]]", "[--KEY VALUE ...]", StringComparison.Ordinal)
                    .Replace("Arguments passed to the application that is being run.", "run-config keys as flags: --KEY VALUE or --KEY=VALUE", StringComparison.Ordinal));
                return code;
            }
            finally
            {
                parseResult.InvocationConfiguration.Output = output;
                for (int i = 0; i < subcommands.Count; i++)
                {
                    subcommands[i].Description = saved[i];
                }
            }
        }
    }
}
