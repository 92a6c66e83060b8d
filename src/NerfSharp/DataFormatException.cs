namespace NerfSharp;

/// <summary>
/// Input that cannot be used: a malformed file, a missing image, inconsistent sizes.
/// The message always names the file and the problem.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    public string Problem { get; }
}
