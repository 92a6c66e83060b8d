using System.Text.Json;
using NerfSharp.Cameras;
using NerfSharp.Numerics;

namespace NerfSharp.Viewer;

/// <summary>
/// One camera message from the browser: a camera-to-world pose (OpenGL convention, row-major 3x4 or 4x4), the vertical
/// field of view in degrees, the frame size, what to show and how to encode it, and whether the camera is still moving
/// (then the frame is rendered at lower resolution). <see cref="Parse"/> rejects anything else with a message.
/// <code>{"type":"camera","seq":7,"pose":[16 numbers],"fov":50,"width":400,"height":300,"mode":"rgb","format":"jpeg","moving":false}</code>
/// </summary>
public sealed record CameraRequest(long Sequence, Pose CameraToWorld, double FovDegrees, int Width, int Height, RenderMode Mode, FrameFormat Format, bool Moving)
{
    /// <summary>Reads and validates a camera message; throws <see cref="FormatException"/> with a one-sentence reason.</summary>
    public static CameraRequest Parse(ReadOnlySpan<byte> utf8Json, int maxSide)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"the message is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("a message must be a JSON object");
            }

            string type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
            if (type != "camera")
            {
                throw new FormatException($"unknown message type '{type}' (expected \"camera\")");
            }

            long seq = root.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out long sv) ? sv : 0;
            Pose pose = ReadPose(root);
            double fov = ReadNumber(root, "fov");
            if (!(fov > 1 && fov < 179))
            {
                throw new FormatException($"fov must lie between 1 and 179 degrees, got {fov}");
            }

            int width = ReadSize(root, "width", maxSide), height = ReadSize(root, "height", maxSide);
            RenderMode mode = ReadString(root, "mode", "rgb") switch
            {
                "rgb" => RenderMode.Rgb,
                "depth" => RenderMode.Depth,
                "accumulation" => RenderMode.Accumulation,
                var m => throw new FormatException($"mode must be rgb, depth or accumulation, got '{m}'"),
            };
            FrameFormat format = ReadString(root, "format", "jpeg") switch
            {
                "jpeg" => FrameFormat.Jpeg,
                "png" => FrameFormat.Png,
                var f => throw new FormatException($"format must be jpeg or png, got '{f}'"),
            };
            bool moving = root.TryGetProperty("moving", out var mv) && mv.ValueKind == JsonValueKind.True;
            return new CameraRequest(seq, pose, fov, width, height, mode, format, moving);
        }
    }

    /// <summary>The pinhole camera of this request at <paramref name="width"/> x <paramref name="height"/> pixels (same field of view), rays through pixel centres.</summary>
    public Camera ToCamera(int width, int height)
    {
        double focal = 0.5 * height / Math.Tan(0.5 * FovDegrees * Math.PI / 180);
        return new Camera(new PinholeIntrinsics(width, height, focal, focal, 0.5 * width, 0.5 * height), CameraToWorld) { PixelCenter = PixelCenter.Center };
    }

    /// <summary>The camera at the requested size.</summary>
    public Camera ToCamera() => ToCamera(Width, Height);

    private static Pose ReadPose(JsonElement root)
    {
        if (!root.TryGetProperty("pose", out var p) || p.ValueKind != JsonValueKind.Array || (p.GetArrayLength() != 12 && p.GetArrayLength() != 16))
        {
            throw new FormatException("pose must be an array of 12 or 16 numbers (camera-to-world, row-major)");
        }

        Span<double> m = stackalloc double[12];
        int i = 0;
        foreach (JsonElement v in p.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d))
            {
                throw new FormatException("pose must hold finite numbers only");
            }

            if (i < 12)
            {
                m[i] = d;
            }

            i++;
        }

        return new Pose(m);
    }

    private static double ReadNumber(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d))
        {
            throw new FormatException($"{name} must be a finite number");
        }

        return d;
    }

    private static int ReadSize(JsonElement root, string name, int maxSide)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 1 || n > maxSide)
        {
            throw new FormatException($"{name} must be an integer from 1 to {maxSide}");
        }

        return n;
    }

    private static string ReadString(JsonElement root, string name, string fallback)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            return fallback;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"{name} must be a string");
    }
}
