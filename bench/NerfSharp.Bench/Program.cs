namespace NerfSharp.Bench;

/// <summary>Micro and end-to-end benchmarks: <c>dotnet run -c Release --project bench/NerfSharp.Bench -- [clock|probe|gemm [tile] [points]|mlp [points] [repeats]|mlp64 [items] [repeats]|layout|hashgrid [points] [repeats]|viewer RUN [seconds] [WxH]]</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string what = args.Length > 0 ? args[0] : "mlp";
        switch (what)
        {
            case "clock":
                double ghz = CpuClock.MeasureGHz();
                Console.WriteLine($"measured clock {ghz:F3} GHz, /proc/cpuinfo {CpuClock.ReportedGHz():F3} GHz");
                FmaPeakResult fma = FmaPeak.Measure();
                Console.WriteLine($"measured FP32 peak ({fma.Vector} FMA chains): {fma.SingleThreadGflops:F1} GFLOP/s on 1 thread, {fma.AllThreadsGflops:F1} on {fma.Threads} threads (wall time); one core {fma.CoreGflops:F1} per second of its CPU time = {fma.CoreGflops / ghz:F1} FLOP/cycle at the measured clock");
                return 0;
            case "gemm":
                GemmBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            case "probe":
                KernelProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8);
                return 0;
            case "hashgrid":
                HashGridBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            case "mlp":
                MlpBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            case "layout":
                LayoutBenchmark.Run();
                return 0;
            case "viewer":
                ViewerBenchmark.Run(args.Skip(1).ToArray());
                return 0;
            case "mlp64":
                Mlp64Benchmark.Run(args.Skip(1).ToArray());
                return 0;
            default:
                Console.Error.WriteLine("usage: NerfSharp.Bench clock|probe|gemm [tile] [points]|mlp [points] [repeats]|mlp64 [items] [repeats]|layout|hashgrid [points] [repeats]|viewer RUN [seconds] [WxH]");
                return 2;
        }
    }
}
