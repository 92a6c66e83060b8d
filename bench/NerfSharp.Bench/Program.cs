namespace NerfSharp.Bench;

/// <summary>Micro and end-to-end benchmarks: <c>dotnet run -c Release --project bench/NerfSharp.Bench -- [clock|gemm|mlp]</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string what = args.Length > 0 ? args[0] : "mlp";
        switch (what)
        {
            case "clock":
                Console.WriteLine($"measured clock {CpuClock.MeasureGHz():F3} GHz, /proc/cpuinfo {CpuClock.ReportedGHz():F3} GHz");
                return 0;
            case "gemm":
                GemmBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            case "mlp":
                MlpBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            default:
                Console.Error.WriteLine("usage: NerfSharp.Bench clock|gemm|mlp");
                return 2;
        }
    }
}
