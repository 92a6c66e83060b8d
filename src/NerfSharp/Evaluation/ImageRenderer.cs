using NerfSharp.Cameras;
using NerfSharp.Data;
using NerfSharp.Imaging;
using NerfSharp.Models;

namespace NerfSharp.Evaluation;

/// <summary>
/// Renders whole images through a model, <c>chunk</c> rays at a time (nerf-pytorch's chunk), so memory
/// is bounded by the chunk, not by the image size.
/// </summary>
public sealed class ImageRenderer
{
    private readonly IRadianceModel model;
    private readonly RayBatch batch;
    private readonly RenderedRays output;
    private readonly RenderContext context;
    private readonly (float R, float G, float B) background;

    /// <summary>A renderer with its own render context; rays see <paramref name="background"/> where the scene is empty.</summary>
    public ImageRenderer(IRadianceModel model, int chunk, (float R, float G, float B) background = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunk);
        this.model = model;
        this.background = background;
        batch = new RayBatch(chunk);
        output = new RenderedRays(chunk);
        context = model.CreateRenderContext(chunk);
    }

    /// <summary>Renders view <paramref name="view"/> of a dataset with its training-space rays (NDC where the data uses it) and bounds.</summary>
    public RenderedImage RenderView(DataParserOutput data, int view, Action<long>? onPixels = null)
    {
        DepthBounds bounds = data.BoundsOf(view);
        return Render(data.Cameras[view], bounds.Near, bounds.Far, data.Ndc ? ray => data.ToTrainingSpace(ray) : null, onPixels);
    }

    /// <summary>
    /// Renders the camera's full image; <paramref name="map"/> maps each camera ray to the model's space (NDC for
    /// forward-facing LLFF scenes; the rays then keep the camera ray's direction as their view direction),
    /// <paramref name="onPixels"/> reports progress as pixels done.
    /// </summary>
    public RenderedImage Render(Camera camera, float near, float far, Func<Ray, Ray>? map = null, Action<long>? onPixels = null)
    {
        int w = camera.Intrinsics.Width, h = camera.Intrinsics.Height;
        long total = (long)w * h;
        var rgb = new Image(w, h, 3);
        var depth = new float[total];
        var disparity = new float[total];
        var acc = new float[total];
        for (long start = 0; start < total; start += batch.Capacity)
        {
            int n = (int)Math.Min(batch.Capacity, total - start);
            for (int k = 0; k < n; k++)
            {
                long p = start + k;
                int x = (int)(p % w), y = (int)(p / w);
                Ray ray = RayGenerator.GetRay(camera, x, y);
                batch.Set(k, map != null ? map(ray) : ray, near, far);
                if (map != null)
                {
                    batch.SetViewDirection(k, ray); // the model's space (NDC) differs; the view direction is the camera ray's
                }

            }

            batch.Count = n;
            batch.FillBackground(background.R, background.G, background.B);
            model.Render(batch, output, context);
            output.Rgb.AsSpan(0, n * 3).CopyTo(rgb.Pixels.AsSpan((int)(start * 3)));
            output.Depth.AsSpan(0, n).CopyTo(depth.AsSpan((int)start));
            output.Disparity.AsSpan(0, n).CopyTo(disparity.AsSpan((int)start));
            output.Accumulation.AsSpan(0, n).CopyTo(acc.AsSpan((int)start));
            onPixels?.Invoke(start + n);
        }

        return new RenderedImage(rgb, depth, disparity, acc);
    }
}
