using NerfSharp.Configuration;
using NerfSharp.Models;

namespace NerfSharp.Runs;

/// <summary>
/// How a run divides its memory limit (<see cref="TrainerConfig.MaxMemoryBytes"/>): a quarter for the training images, a
/// quarter for vanilla NeRF's chunk buffers (training and rendering), the rest for parameters, optimizer moments, the
/// model's own buffers (instant-ngp's are sized by its sample budget), the pixel order (4 bytes a pixel), transient
/// decoding buffers and the runtime. Measured: full-resolution lego (100 images 800x800) with the ngp model peaks at
/// 2.3 GiB with float images and 1.6 GiB with 8-bit ones.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Bytes the decoded training images may take (0 = no limit).</summary>
    public static long ImageBytes(RunConfig config) => config.Trainer.MaxMemoryBytes / 4;

    /// <summary>Bytes vanilla NeRF's chunk buffers may take (0 = no limit).</summary>
    public static long WorkspaceBytes(RunConfig config) => config.Trainer.MaxMemoryBytes / 4;

    /// <summary>
    /// netchunk for vanilla NeRF within <see cref="WorkspaceBytes"/>: the configured one, or fewer points when its buffers
    /// (one set for training, one for rendering) would not fit. Bytes per point are measured by building two small models.
    /// </summary>
    public static int VanillaPointsPerChunk(RunConfig config)
    {
        int configured = Math.Max(1024, config.Trainer.NetChunk);
        long budget = WorkspaceBytes(config);
        if (budget <= 0)
        {
            return configured;
        }

        int perRay = config.Vanilla.Samples + config.Vanilla.Importance;
        int small = 4 * perRay, large = 8 * perRay;
        long a = AllocatedBy(() => new VanillaNerf(config.Vanilla, (0f, 0f, 0f), small));
        long b = AllocatedBy(() => new VanillaNerf(config.Vanilla, (0f, 0f, 0f), large));
        double bytesPerPoint = 2.0 * Math.Max(1, b - a) / (large - small);
        long fits = (long)(budget / bytesPerPoint);
        if (fits < perRay)
        {
            throw new ArgumentException(
                $"--max-memory {MemorySize.Format(config.Trainer.MaxMemoryBytes)} leaves {MemorySize.Format(budget)} for vanilla NeRF's buffers, " +
                $"less than one ray of {perRay} samples needs ({MemorySize.Format((long)(bytesPerPoint * perRay))}): raise --max-memory");
        }

        return (int)Math.Min(configured, fits);
    }

    private static long AllocatedBy(Func<object> create)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(create());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
