using System.Globalization;
using NerfSharp.Cameras;
using NerfSharp.IO;
using NerfSharp.Tests.Rendering;
using NerfSharp.Tests.Testing;

namespace NerfSharp.Tests.Cameras;

public class NdcRaysTests
{
    [Fact]
    public void MatchesNerfPytorchNdcRaysOnFern()
    {
        var golden = SafetensorsFile.Read(SharedData.Golden("ndc"));
        int height = int.Parse(golden.Metadata["H"], CultureInfo.InvariantCulture);
        int width = int.Parse(golden.Metadata["W"], CultureInfo.InvariantCulture);
        double focal = double.Parse(golden.Metadata["focal"], CultureInfo.InvariantCulture);
        double near = double.Parse(golden.Metadata["near"], CultureInfo.InvariantCulture);
        double[] o = golden["rays_o"].ToDoubles();
        double[] d = golden["rays_d"].ToDoubles();
        var ndcO = new double[o.Length];
        var ndcD = new double[d.Length];
        for (int r = 0; r < o.Length / 3; r++)
        {
            var ray = new Ray(o[3 * r], o[(3 * r) + 1], o[(3 * r) + 2], d[3 * r], d[(3 * r) + 1], d[(3 * r) + 2]);
            Ray ndc = NdcRays.ToNdc(height, width, focal, near, ray);
            (ndcO[3 * r], ndcO[(3 * r) + 1], ndcO[(3 * r) + 2]) = (ndc.OriginX, ndc.OriginY, ndc.OriginZ);
            (ndcD[3 * r], ndcD[(3 * r) + 1], ndcD[(3 * r) + 2]) = (ndc.DirX, ndc.DirY, ndc.DirZ);
        }

        ToleranceAssert.AllClose(golden["ndc_o"].ToDoubles(), ndcO, 1e-12, 1e-9, "ndc_o");
        ToleranceAssert.AllClose(golden["ndc_d"].ToDoubles(), ndcD, 1e-12, 1e-9, "ndc_d");
    }

    [Fact]
    public void NearPlaneMapsToMinusOneAndInfinityToPlusOne()
    {
        var ray = new Ray(0.1, -0.2, 0.3, 0.05, 0.02, -1);
        Ray ndc = NdcRays.ToNdc(300, 400, 350, 1.0, ray);
        Assert.Equal(-1.0, ndc.OriginZ, 12);
        Assert.Equal(1.0, ndc.OriginZ + ndc.DirZ, 12);
    }
}
