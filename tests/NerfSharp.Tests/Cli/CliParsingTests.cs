using System.CommandLine;
using System.Text.Json;
using NerfSharp.Cli;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cli;

/// <summary>
/// The command line itself: help for every command, one-sentence errors for wrong flags and values, config keys given as
/// flags, and stack traces only with --verbose.
/// </summary>
public sealed class CliParsingTests : IClassFixture<DemoSceneFixture>
{
    private readonly DemoSceneFixture scene;

    public CliParsingTests(DemoSceneFixture scene) => this.scene = scene;

    /// <summary>Every command's path under nerf, e.g. ["process", "images"], nested commands included.</summary>
    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            foreach (Command sub in command.Subcommands)
            {
                string subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                data.Add(subPath);
                Walk(sub, subPath);
            }
        }

        Walk(Program.CreateRoot(Context(TextWriter.Null, TextWriter.Null)), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryCommandsHelpExitsZeroAndShowsAnExample(string path)
    {
        var r = CliRunner.Run([.. path.Split(' '), "--help"]);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("Examples:", r.Out);
        Assert.Contains($"nerf {path} ", r.Out); // an example command line of this very command
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void RootHelpListsEveryCommandOnOneLine()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        RootCommand root = Program.CreateRoot(Context(TextWriter.Null, TextWriter.Null));
        string[] lines = r.Out.Split('\n');
        foreach (Command command in root.Subcommands)
        {
            string summary = CommandHelp.Summary(command.Description);
            Assert.Contains(lines, l => l.TrimStart().StartsWith(command.Name + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(summary, StringComparison.Ordinal));
        }

        // Only the root's own examples: the commands' examples stay in their own help.
        Assert.Single(lines, l => l.Trim() == "Examples:");
        Assert.Contains("--verbose", r.Out);
    }

    [Fact]
    public void NoArgumentsPrintsHelpAndExitsOne()
    {
        var r = CliRunner.Run();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("train", r.Out);
        Assert.Equal(0, CliRunner.Run("help", "eval").ExitCode);
    }

    [Fact]
    public void CompletionSuggestsCommandsAndFlags()
    {
        // The [suggest:POSITION] directive that dotnet-suggest's shell scripts call.
        var commands = CliRunner.Run("[suggest:7]", "nerf re");
        Assert.Equal(0, commands.ExitCode);
        Assert.Equal(["render", "report"], commands.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var flags = CliRunner.Run("[suggest:15]", "nerf train --da");
        Assert.Equal(["--data", "--datadir"], flags.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("--bogus", "eval", "--run", "RUN", "--bogus", "1")]
    [InlineData("--vidoe", "render", "--run", "RUN", "--vidoe")]
    [InlineData("--iter", "bench", "--iter", "3")]
    [InlineData("--N_sampels", "train", "--data", "DATA", "--out", "OUT", "--N_sampels", "3")]
    [InlineData("--N_sampels", "demo", "--out", "OUT", "--N_sampels=3")]
    [InlineData("--fram", "process", "video", "clip.mp4", "--out", "OUT", "--fram", "3")]
    [InlineData("trian", "trian", "--data", "DATA")]
    public void AWrongFlagIsOneSentenceNamingIt(string named, params string[] args)
    {
        using var dir = new TempDirectory("nerf-parse");
        var r = AssertUserError(Fill(args, dir), named);
        Assert.False(Directory.Exists(dir.Combine("out")), "a rejected command wrote its output");
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("--run", "eval", "--run")]
    [InlineData("--frames", "render", "--run", "RUN", "--frames")]
    [InlineData("--steps", "train", "--data", "DATA", "--out", "OUT", "--steps")]
    [InlineData("--out", "process", "images", "photos")]
    [InlineData("--run", "eval", "--split", "val")]
    public void AMissingValueIsOneSentenceNamingTheFlag(string named, params string[] args)
    {
        using var dir = new TempDirectory("nerf-parse");
        AssertUserError(Fill(args, dir), named);
    }

    [Theory]
    [InlineData("--steps", "'ten'", "train", "--data", "DATA", "--out", "OUT", "--steps", "ten")]
    [InlineData("--time-budget", "'soon'", "train", "--data", "DATA", "--out", "OUT", "--time-budget", "soon")]
    [InlineData("--max-images", "'all'", "eval", "--run", "RUN", "--max-images", "all")]
    [InlineData("--phi", "'up'", "render", "--run", "RUN", "--phi", "up")]
    [InlineData("--render_factor", "'half'", "render", "--run", "RUN", "--render_factor", "half")]
    [InlineData("N_samples", "many", "train", "--data", "DATA", "--out", "OUT", "--N_samples", "many")]
    [InlineData("N_rand", "lots", "train", "--data", "DATA", "--out", "OUT", "--N_rand=lots")]
    [InlineData("--size", "'big'", "demo", "--out", "OUT", "--size", "big")]
    public void ANonNumericValueIsOneSentenceNamingTheFlagAndTheValue(string named, string value, params string[] args)
    {
        using var dir = new TempDirectory("nerf-parse");
        var r = AssertUserError(Fill(args, dir), named);
        Assert.Contains(value, r.Error);
        Assert.False(Directory.Exists(dir.Combine("out")), "a rejected command wrote its output");
    }

    [Fact]
    public void ConfigKeysGivenAsFlagsReachTheResolvedConfig()
    {
        using var dir = new TempDirectory("nerf-parse");
        string run = dir.Combine("run");
        var r = CliRunner.Run(
        [
            "train", "--data", scene.SceneDir, "--model", "vanilla", "--out", run, "--steps", "1", "--testskip", "1", "--seed", "3", "--log-every", "4",
            .. CliRunner.TinyModelFlags,
            "--white_bkgd", "--no_batching", "True", "--N_rand=64", "--lrate", "2e-3", "--N_samples", "6", "--i_print", "1",
            "--time_budget=0", "--seed", "7", "--log2_hashmap_size", "13", "--render_factor", "3", "--half_res", "False",
        ]);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement;
        var trainer = config.GetProperty("trainer");
        Assert.True(config.GetProperty("data").GetProperty("whiteBackground").GetBoolean()); // bare flag before another option
        Assert.False(config.GetProperty("data").GetProperty("halfRes").GetBoolean());
        Assert.True(trainer.GetProperty("noBatching").GetBoolean()); // nerf-pytorch style "True"
        Assert.Equal(64, trainer.GetProperty("batchRays").GetInt32()); // --KEY=VALUE, later than TinyModelFlags' 128
        Assert.Equal(2e-3, trainer.GetProperty("learningRate").GetDouble());
        Assert.Equal(1, trainer.GetProperty("logEvery").GetInt32()); // nerf-pytorch's name of --log-every, given last
        Assert.Equal(7UL, trainer.GetProperty("seed").GetUInt64()); // a flag given twice: the last value wins
        Assert.Equal(1, trainer.GetProperty("steps").GetInt32());
        Assert.Equal(6, config.GetProperty("vanilla").GetProperty("samples").GetInt32());
        Assert.Equal(16, config.GetProperty("vanilla").GetProperty("netWidth").GetInt32());
        Assert.Equal(13, config.GetProperty("ngp").GetProperty("log2HashmapSize").GetInt32()); // an ngp key
        Assert.Equal(3, config.GetProperty("render").GetProperty("renderFactor").GetInt32());
    }

    [Fact]
    public void VerboseAddsTheStackTraceOfAnInternalError()
    {
        // A console that fails in a way no command expects stands in for a bug.
        var quiet = new StringWriter();
        Assert.Equal(2, Program.Run(["eval", "--help"], Context(new ThrowingWriter(), quiet)));
        Assert.Contains("internal error (a NerfSharp bug", quiet.ToString());
        Assert.Contains("NotImplementedException: console broke", quiet.ToString());
        Assert.DoesNotContain("   at ", quiet.ToString());
        Assert.Contains("--verbose", quiet.ToString());

        var verbose = new StringWriter();
        Assert.Equal(2, Program.Run(["eval", "--help", "--verbose"], Context(new ThrowingWriter(), verbose)));
        Assert.Contains("NotImplementedException: console broke", verbose.ToString());
        Assert.Contains("   at ", verbose.ToString());
        Assert.Contains(nameof(ThrowingWriter), verbose.ToString());
    }

    [Fact]
    public void VerboseAddsTheStackTraceOfAUserError()
    {
        using var dir = new TempDirectory("nerf-parse");
        var plain = CliRunner.Run("eval", "--run", dir.Combine("absent"));
        Assert.Equal(1, plain.ExitCode);
        Assert.DoesNotContain("   at ", plain.Error);
        var verbose = CliRunner.Run("eval", "--run", dir.Combine("absent"), "--verbose");
        Assert.Equal(1, verbose.ExitCode);
        Assert.StartsWith("error: ", verbose.Error);
        Assert.Contains("   at ", verbose.Error);
    }

    /// <summary>Checks exit code 1 and one line "error: ..." naming <paramref name="named"/>, without a stack trace.</summary>
    private static CliRunner.Result AssertUserError(string[] args, string named)
    {
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 1, $"'{string.Join(' ', args)}': exit code {r.ExitCode}; stderr: {r.Error}; stdout: {r.Out}");
        string message = r.Error.Trim();
        Assert.StartsWith("error: ", message);
        Assert.DoesNotContain('\n', message);
        Assert.Contains(named, message);
        Assert.DoesNotContain("   at ", message);
        return r;
    }

    /// <summary>Replaces the placeholders DATA, RUN and OUT with real (or missing) folders.</summary>
    private string[] Fill(string[] args, TempDirectory dir) =>
        args.Select(a => a switch
        {
            "DATA" => scene.SceneDir,
            "RUN" => dir.Combine("no_run"),
            "OUT" => dir.Combine("out"),
            _ => a,
        }).ToArray();

    private static CliContext Context(TextWriter output, TextWriter error) => new(output, error, CancellationToken.None, Interactive: false);

    private sealed class ThrowingWriter : StringWriter
    {
        public override void Write(string? value) => throw new NotImplementedException("console broke");

        public override void WriteLine(string? value) => throw new NotImplementedException("console broke");
    }
}
