namespace NerfSharp.Imaging;

/// <summary>
/// Image quality metrics as the NeRF papers report them, over the colour channels (gray, or RGB; alpha is
/// ignored), computed in double: MSE, PSNR (nerf-pytorch's mse2psnr) and SSIM (mip-NeRF's compute_ssim).
/// Both images must have the same width, height and channel count.
/// </summary>
public static class ImageMetrics
{
    private const int SsimWindow = 11;
    private const double SsimSigma = 1.5;
    private const double SsimK1 = 0.01;
    private const double SsimK2 = 0.03;

    /// <summary>Mean squared error over all pixels and colour channels.</summary>
    public static double Mse(Image a, Image b)
    {
        int colors = CheckSameShape(a, b);
        int n = a.Channels;
        double sum = 0;
        for (int p = 0; p < a.Width * a.Height; p++)
        {
            for (int c = 0; c < colors; c++)
            {
                double d = (double)a.Pixels[(p * n) + c] - b.Pixels[(p * n) + c];
                sum += d * d;
            }
        }

        return sum / ((double)a.Width * a.Height * colors);
    }

    /// <summary>-10 log10(MSE) in dB for images in [0, 1]; +infinity for identical images.</summary>
    public static double Psnr(Image a, Image b) => -10.0 * Math.Log10(Mse(a, b));

    /// <summary>
    /// Structural similarity exactly as mip-NeRF's compute_ssim (the value NeRF papers report): separable
    /// Gaussian window of 11 taps with sigma 1.5, 'valid' filtering (no padding), k1 = 0.01, k2 = 0.03,
    /// max value 1, variances clipped to be non-negative and the covariance to |cov| &lt;= sqrt(var0 var1),
    /// then the SSIM map averaged over all (H-10) x (W-10) positions and the colour channels.
    /// Both images must be at least 11 x 11.
    /// </summary>
    public static double Ssim(Image a, Image b)
    {
        int colors = CheckSameShape(a, b);
        if (a.Width < SsimWindow || a.Height < SsimWindow)
        {
            throw new ArgumentException($"SSIM needs images of at least {SsimWindow}x{SsimWindow}, got {a.Width}x{a.Height}");
        }

        double[] window = GaussianWindow();
        int w = a.Width, h = a.Height;
        int ow = w - SsimWindow + 1, oh = h - SsimWindow + 1;
        double c1 = SsimK1 * SsimK1, c2 = SsimK2 * SsimK2;

        // Five maps per channel: x, y, x^2, y^2, x*y; each blurred along x, then along y.
        var planes = new double[5][];
        var rowBlurred = new double[5][];
        var blurred = new double[5][];
        for (int k = 0; k < 5; k++)
        {
            planes[k] = new double[w * h];
            rowBlurred[k] = new double[ow * h];
            blurred[k] = new double[ow * oh];
        }

        double total = 0;
        for (int c = 0; c < colors; c++)
        {
            for (int p = 0; p < w * h; p++)
            {
                double x = a.Pixels[(p * a.Channels) + c], y = b.Pixels[(p * b.Channels) + c];
                planes[0][p] = x;
                planes[1][p] = y;
                planes[2][p] = x * x;
                planes[3][p] = y * y;
                planes[4][p] = x * y;
            }

            for (int k = 0; k < 5; k++)
            {
                BlurRowsValid(planes[k], rowBlurred[k], w, h, window);
                BlurColumnsValid(rowBlurred[k], blurred[k], ow, h, window);
            }

            for (int i = 0; i < ow * oh; i++)
            {
                double mu0 = blurred[0][i], mu1 = blurred[1][i];
                double mu00 = mu0 * mu0, mu11 = mu1 * mu1, mu01 = mu0 * mu1;
                double sigma00 = Math.Max(0.0, blurred[2][i] - mu00);
                double sigma11 = Math.Max(0.0, blurred[3][i] - mu11);
                double sigma01 = blurred[4][i] - mu01;
                sigma01 = Math.Sign(sigma01) * Math.Min(Math.Sqrt(sigma00 * sigma11), Math.Abs(sigma01));
                double numerator = ((2 * mu01) + c1) * ((2 * sigma01) + c2);
                double denominator = (mu00 + mu11 + c1) * (sigma00 + sigma11 + c2);
                total += numerator / denominator;
            }
        }

        return total / ((double)ow * oh * colors);
    }

    /// <summary>exp(-0.5 ((i - 5) / 1.5)^2) for i = 0..10, normalised to sum 1.</summary>
    private static double[] GaussianWindow()
    {
        var f = new double[SsimWindow];
        double sum = 0;
        int half = SsimWindow / 2;
        for (int i = 0; i < SsimWindow; i++)
        {
            double t = (i - half) / SsimSigma;
            f[i] = Math.Exp(-0.5 * t * t);
            sum += f[i];
        }

        for (int i = 0; i < SsimWindow; i++)
        {
            f[i] /= sum;
        }

        return f;
    }

    /// <summary>dst[y, x] = sum_k f[k] src[y, x + k] for x in 0..w-11 (the window is symmetric, so correlation = convolution).</summary>
    private static void BlurRowsValid(double[] src, double[] dst, int w, int h, double[] f)
    {
        int ow = w - f.Length + 1;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                double s = 0;
                for (int k = 0; k < f.Length; k++)
                {
                    s += f[k] * src[(y * w) + x + k];
                }

                dst[(y * ow) + x] = s;
            }
        }
    }

    /// <summary>dst[y, x] = sum_k f[k] src[y + k, x] for y in 0..h-11.</summary>
    private static void BlurColumnsValid(double[] src, double[] dst, int w, int h, double[] f)
    {
        int oh = h - f.Length + 1;
        Array.Clear(dst);
        for (int y = 0; y < oh; y++)
        {
            Span<double> outRow = dst.AsSpan(y * w, w);
            for (int k = 0; k < f.Length; k++)
            {
                ReadOnlySpan<double> inRow = src.AsSpan((y + k) * w, w);
                double weight = f[k];
                for (int x = 0; x < w; x++)
                {
                    outRow[x] += weight * inRow[x];
                }
            }
        }
    }

    /// <summary>Checks that the shapes match and returns the number of colour channels (gray 1, RGB 3).</summary>
    private static int CheckSameShape(Image a, Image b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height || a.Channels != b.Channels)
        {
            throw new ArgumentException($"images differ in shape: {a.Width}x{a.Height}x{a.Channels} vs {b.Width}x{b.Height}x{b.Channels}");
        }

        return a.Channels <= 2 ? 1 : 3;
    }
}
