using NerfSharp.Export;
using NerfSharp.Fields;
using NerfSharp.Numerics;
using NerfSharp.Parameters;

namespace NerfSharp.Tests.Export;

public class ExportableFieldTests
{
    [Fact]
    public void VanillaDensityIsTheReluOfTheSigmaOutputInEveryChunk()
    {
        var store = new ParameterStore();
        var field = new VanillaNerfField(depth: 3, width: 16, multires: 4, multiresViews: 2, useViewDirs: true, store, "fine");
        store.Freeze();
        field.Initialize(new Rng(3));

        // 37 points through a query of capacity 8: five chunks, the last one short.
        const int count = 37;
        var rng = new Rng(5);
        var points = new float[3 * count];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = (rng.NextFloat() * 3) - 1.5f;
        }

        var density = new float[count];
        new VanillaNerfDensity(field, capacity: 8).QueryDensity(points, count, density);

        var up = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            up[(3 * i) + 2] = 1;
        }

        var raw = new float[4 * count];
        field.Forward(points, up, count, raw, field.CreateWorkspace(count));
        int positive = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(MathF.Max(0, raw[(3 * count) + i]), density[i], 1e-5f); // other batch sizes round differently
            positive += density[i] > 0 ? 1 : 0;
        }

        Assert.True(positive > 0); // not all clamped to zero
    }
}
