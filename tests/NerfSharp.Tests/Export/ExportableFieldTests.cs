using NerfSharp.Configuration;
using NerfSharp.Encodings;
using NerfSharp.Export;
using NerfSharp.Fields;
using NerfSharp.Models;
using NerfSharp.Numerics;
using NerfSharp.Parameters;
using NerfSharp.Sampling;

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

    [Fact]
    public void NgpRadianceQueryMatchesTheFieldsForwardAndDensityQuery()
    {
        var store = new ParameterStore();
        SceneBox box = SceneBox.Cube(1.5f);
        var field = new NgpField(new HashGridConfig(Levels: 4, Log2TableSize: 10, MaxResolution: 64), box, store);
        store.Freeze();
        field.Initialize(new Rng(7));

        // 21 points (two outside the box) through a query of capacity 8; unit directions.
        const int count = 21;
        var rng = new Rng(9);
        var points = new float[3 * count];
        var dirs = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                points[(3 * i) + k] = (rng.NextFloat() * 2.8f) - 1.4f;
                dirs[(3 * i) + k] = rng.NextFloat() - 0.5f;
            }

            float norm = MathF.Sqrt((dirs[3 * i] * dirs[3 * i]) + (dirs[(3 * i) + 1] * dirs[(3 * i) + 1]) + (dirs[(3 * i) + 2] * dirs[(3 * i) + 2]));
            for (int k = 0; k < 3; k++)
            {
                dirs[(3 * i) + k] /= norm;
            }
        }

        points[0] = 1.6f;
        points[(3 * 20) + 2] = -2f;
        var density = new float[count];
        var rgb = new float[3 * count];
        IRadianceField query = field.CreateRadianceQuery(8);
        query.QueryRadiance(points, dirs, count, density, rgb);
        var densityOnly = new float[count];
        field.CreateDensityQuery(8).QueryDensity(points, count, densityOnly);

        // The reference: one full forward over all points, feature-major.
        var unit = new float[3 * count];
        var fm = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            var (u, v, w) = box.ToUnit(points[3 * i], points[(3 * i) + 1], points[(3 * i) + 2]);
            (unit[i], unit[count + i], unit[(2 * count) + i]) = (u, v, w);
            (fm[i], fm[count + i], fm[(2 * count) + i]) = (dirs[3 * i], dirs[(3 * i) + 1], dirs[(3 * i) + 2]);
        }

        var refDensity = new float[count];
        var refRgb = new float[3 * count];
        field.Forward(unit, fm, count, refDensity, refRgb, field.CreateContext(count));
        Assert.Equal(0f, density[0]);
        Assert.Equal(0f, density[20]);
        for (int i = 1; i < count - 1; i++)
        {
            Assert.Equal(refDensity[i], density[i], refDensity[i] * 1e-4f);
            Assert.Equal(densityOnly[i], density[i], refDensity[i] * 1e-4f);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(refRgb[(k * count) + i], rgb[(3 * i) + k], 1e-5f);
            }
        }
    }

    [Fact]
    public void NerfactoQueryIsTheMainFieldInWorldUnitsWithTheNearestCamerasEmbedding()
    {
        // A normalised capture: model = (world - (1, 2, 3)) * 0.5; three training cameras.
        NerfactoConfig config = Models.NerfactoGradientTests.SmallConfig(3) with { SceneScale = 0.5, SceneCenterX = 1, SceneCenterY = 2, SceneCenterZ = 3 };
        var model = new NerfactoModel(config, new HashGridConfig(4, 2, 10, 4, 24), SceneSpace.Contracted(ContractionNorm.LInfinity), 1e-2, maxRays: 8);
        model.Initialize(new Rng(3));
        var init = new Rng(11);
        for (int i = 0; i < model.Parameters.Values.Length; i++)
        {
            model.Parameters.Values[i] = (init.NextFloat() - 0.5f) * 1.2f;
        }

        float[] cameras = [1, 2, 6, 4, 2, 3, 1, -1, 3];
        model.SetTrainingCameraCentres(cameras);
        ExportableField exportable = ExportableField.Of(model);
        Assert.Equal(SceneBox.Cube(2f, 1, 2, 3), exportable.Bounds);
        Assert.Equal(ExportableField.NgpDefaultThreshold * 0.5f, exportable.DefaultThreshold);

        const int count = 19;
        var rng = new Rng(9);
        var points = new float[3 * count];
        var dirs = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            points[3 * i] = 1 + ((rng.NextFloat() - 0.5f) * 5);
            points[(3 * i) + 1] = 2 + ((rng.NextFloat() - 0.5f) * 5);
            points[(3 * i) + 2] = 3 + ((rng.NextFloat() - 0.5f) * 5);
            dirs[3 * i] = 0.6f;
            dirs[(3 * i) + 2] = -0.8f;
        }

        var density = new float[count];
        var rgb = new float[3 * count];
        exportable.CreateRadianceQuery!(8).QueryRadiance(points, dirs, count, density, rgb);
        var densityOnly = new float[count];
        exportable.CreateQuery(8).QueryDensity(points, count, densityOnly);

        // The reference: the field's forward over model-unit points, each with its nearest camera's embedding row.
        var unit = new float[3 * count];
        var fm = new float[3 * count];
        var images = new int[count];
        for (int i = 0; i < count; i++)
        {
            (unit[i], unit[count + i], unit[(2 * count) + i]) = ((points[3 * i] - 1) * 0.5f, (points[(3 * i) + 1] - 2) * 0.5f, (points[(3 * i) + 2] - 3) * 0.5f);
            (fm[i], fm[count + i], fm[(2 * count) + i]) = (0.6f, 0f, -0.8f);
            images[i] = Enumerable.Range(0, 3).MinBy(c => Math.Pow(points[3 * i] - cameras[3 * c], 2) + Math.Pow(points[(3 * i) + 1] - cameras[(3 * c) + 1], 2) + Math.Pow(points[(3 * i) + 2] - cameras[(3 * c) + 2], 2));
        }

        Assert.True(images.Distinct().Count() > 1, "the points must fall to different cameras");
        var refDensity = new float[count];
        var refRgb = new float[3 * count];
        model.Field.Forward(model.Parameters, unit, fm, images, new float[config.AppearanceWidth], count, refDensity, refRgb, model.Field.CreateContext(count));
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(refDensity[i] * 0.5f, density[i], refDensity[i] * 1e-4f);
            Assert.Equal(density[i], densityOnly[i], refDensity[i] * 1e-4f);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(refRgb[(k * count) + i], rgb[(3 * i) + k], 1e-5f);
            }
        }
    }
}
