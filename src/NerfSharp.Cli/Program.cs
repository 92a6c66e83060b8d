namespace NerfSharp.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("nerf: commands are being built");
        return args.Length == 0 ? 1 : 1;
    }
}
