using NerfSharp.Cli;

namespace NerfSharp.Tests.Cli;

/// <summary>Runs the <c>nerf</c> command in-process, capturing what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, new CliContext(output, error, CancellationToken.None, Interactive: false, Started: DateTime.UtcNow));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>A small ngp model (4 hash levels of 2^12 entries, a 16^3 grid) so end-to-end runs take seconds.</summary>
    public static readonly string[] TinyNgpFlags =
    [
        "--hash_levels", "4", "--log2_hashmap_size", "12", "--max_resolution", "64", "--grid_resolution", "16", "--grid_warmup", "8",
        "--target_samples", "4096", "--N_rand", "256", "--max_batch_rays", "2048", "--chunk", "2048",
    ];

    /// <summary>A small nerfacto model (small hash grids, few samples per stage) so end-to-end runs take seconds.</summary>
    public static readonly string[] TinyNerfactoFlags =
    [
        "--hash_levels", "4", "--log2_hashmap_size", "12", "--max_resolution", "64", "--proposal_samples_1", "16", "--proposal_samples_2", "8",
        "--nerf_samples", "8", "--N_rand", "128", "--chunk", "1024", "--anneal_steps", "20",
    ];

    /// <summary>A small vanilla model so end-to-end runs take seconds.</summary>
    public static readonly string[] TinyModelFlags =
    [
        "--netdepth", "4", "--netwidth", "16", "--netdepth_fine", "4", "--netwidth_fine", "16",
        "--N_samples", "8", "--N_importance", "8", "--multires", "4", "--multires_views", "2", "--N_rand", "128",
        "--lrate", "5e-3", "--chunk", "512", "--netchunk", "4096",
    ];
}
