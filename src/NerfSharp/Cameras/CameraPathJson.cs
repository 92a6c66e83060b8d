using System.Globalization;
using System.Text.Json;
using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// Reads and writes nerfstudio's camera_path.json. Keys: <c>render_width</c>, <c>render_height</c>, <c>fps</c>, <c>seconds</c>
/// (optional when <c>camera_path</c> is given: its length / fps), <c>camera_type</c> (only "perspective"), <c>is_cycle</c>,
/// <c>smoothness_value</c>, <c>default_fov</c>, <c>default_transition_sec</c>; <c>camera_path</c>: a list of
/// {<c>camera_to_world</c>: 16 numbers, a row-major 4x4 (nested 4x4 lists are accepted too), <c>fov</c>: vertical, degrees,
/// <c>aspect</c>}; <c>keyframes</c>: a list of {<c>matrix</c> (or <c>camera_to_world</c>), <c>fov</c>, <c>aspect</c>,
/// <c>override_transition_enabled</c>, <c>override_transition_sec</c>}. At least one of the two lists must be non-empty.
/// Every problem is reported as a <see cref="DataFormatException"/> naming the file and the key.
/// </summary>
public static class CameraPathJson
{
    /// <summary>How far a rotation block may be from orthonormal, and the last row from (0, 0, 0, 1).</summary>
    private const double RigidTolerance = 1e-3;

    public static CameraPath Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the camera path file does not exist", path);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"malformed JSON: {e.Message}", e);
        }

        using (document)
        {
            return Parse(document.RootElement, path);
        }
    }

    /// <summary>Parses camera_path.json text; <paramref name="source"/> names it in errors.</summary>
    public static CameraPath Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
            return Parse(document.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, $"malformed JSON: {e.Message}", e);
        }
    }

    public static void Write(string path, CameraPath cameraPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, ToJson(cameraPath));
    }

    /// <summary>The file's text: every key nerfstudio writes, poses as flattened row-major 4x4 matrices.</summary>
    public static string ToJson(CameraPath cameraPath)
    {
        ArgumentNullException.ThrowIfNull(cameraPath);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("camera_type", cameraPath.CameraType);
            w.WriteNumber("render_height", cameraPath.RenderHeight);
            w.WriteNumber("render_width", cameraPath.RenderWidth);
            w.WriteNumber("fps", cameraPath.Fps);
            w.WriteNumber("seconds", cameraPath.Seconds);
            w.WriteBoolean("is_cycle", cameraPath.IsCycle);
            w.WriteNumber("smoothness_value", cameraPath.Tension);
            w.WriteNumber("default_fov", cameraPath.DefaultFovDegrees);
            w.WriteNumber("default_transition_sec", cameraPath.DefaultTransitionSeconds);
            w.WriteStartArray("keyframes");
            foreach (CameraPathKeyframe k in cameraPath.Keyframes)
            {
                w.WriteStartObject();
                WriteMatrix(w, "matrix", k.CameraToWorld);
                w.WriteNumber("fov", k.VerticalFovDegrees);
                w.WriteNumber("aspect", k.Aspect);
                w.WriteBoolean("override_transition_enabled", k.TransitionSeconds is not null);
                if (k.TransitionSeconds is double t)
                {
                    w.WriteNumber("override_transition_sec", t);
                }
                else
                {
                    w.WriteNull("override_transition_sec");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("camera_path");
            foreach (CameraPathPose p in cameraPath.Frames)
            {
                w.WriteStartObject();
                WriteMatrix(w, "camera_to_world", p.CameraToWorld);
                w.WriteNumber("fov", p.VerticalFovDegrees);
                w.WriteNumber("aspect", p.Aspect);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteMatrix(Utf8JsonWriter w, string name, Pose pose)
    {
        w.WriteStartArray(name);
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                w.WriteNumberValue(pose[r, c]);
            }
        }

        w.WriteNumberValue(0.0);
        w.WriteNumberValue(0.0);
        w.WriteNumberValue(0.0);
        w.WriteNumberValue(1.0);
        w.WriteEndArray();
    }

    private static CameraPath Parse(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(file, "the top level is not a JSON object");
        }

        string cameraType = root.TryGetProperty("camera_type", out JsonElement ct) && ct.ValueKind != JsonValueKind.Null
            ? ct.ValueKind == JsonValueKind.String ? ct.GetString()! : throw new DataFormatException(file, "'camera_type' is not a string")
            : "perspective";
        if (!string.Equals(cameraType, "perspective", StringComparison.OrdinalIgnoreCase))
        {
            throw new DataFormatException(file, $"camera_type '{cameraType}' is not supported (only perspective)");
        }

        int width = ImageSize(root, "render_width", file);
        int height = ImageSize(root, "render_height", file);
        double fps = RequiredNumber(root, "fps", file);
        if (!(fps > 0))
        {
            throw new DataFormatException(file, $"'fps' must be positive, got {Format(fps)}");
        }

        double defaultFov = OptionalNumber(root, "default_fov", file, "default_fov") ?? 75.0;
        CheckFov(defaultFov, file, "default_fov");
        double defaultTransition = OptionalNumber(root, "default_transition_sec", file, "default_transition_sec") ?? 2.0;
        if (!(defaultTransition > 0))
        {
            throw new DataFormatException(file, $"'default_transition_sec' must be positive, got {Format(defaultTransition)}");
        }

        double tension = OptionalNumber(root, "smoothness_value", file, "smoothness_value") ?? 0.0;
        if (!(tension >= 0 && tension <= 1))
        {
            throw new DataFormatException(file, $"'smoothness_value' must lie in [0, 1], got {Format(tension)}");
        }

        bool isCycle = false;
        if (root.TryGetProperty("is_cycle", out JsonElement cycle) && cycle.ValueKind != JsonValueKind.Null)
        {
            isCycle = cycle.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new DataFormatException(file, "'is_cycle' is not true or false"),
            };
        }

        double aspectDefault = (double)width / height;
        var frames = new List<CameraPathPose>();
        foreach (var (entry, where) in Entries(root, "camera_path", file))
        {
            Pose pose = ReadMatrix(entry, ["camera_to_world"], file, where);
            double fov = RequiredNumber(entry, "fov", file, $"{where}.fov");
            CheckFov(fov, file, $"{where}.fov");
            double aspect = Aspect(entry, file, where) ?? aspectDefault;
            frames.Add(new CameraPathPose(pose, fov, aspect));
        }

        var keyframes = new List<CameraPathKeyframe>();
        foreach (var (entry, where) in Entries(root, "keyframes", file))
        {
            Pose pose = ReadMatrix(entry, ["matrix", "camera_to_world"], file, where);
            double fov = OptionalNumber(entry, "fov", file, $"{where}.fov") ?? defaultFov;
            CheckFov(fov, file, $"{where}.fov");
            double aspect = Aspect(entry, file, where) ?? aspectDefault;
            double? transition = null;
            if (entry.TryGetProperty("override_transition_enabled", out JsonElement enabled) && enabled.ValueKind == JsonValueKind.True)
            {
                transition = RequiredNumber(entry, "override_transition_sec", file, $"{where}.override_transition_sec");
                if (!(transition > 0))
                {
                    throw new DataFormatException(file, $"'{where}.override_transition_sec' must be positive, got {Format(transition.Value)}");
                }
            }

            keyframes.Add(new CameraPathKeyframe(pose, fov, aspect, transition));
        }

        if (frames.Count == 0 && keyframes.Count == 0)
        {
            throw new DataFormatException(file, "the path is empty: 'camera_path' and 'keyframes' are both missing or empty");
        }

        double seconds = frames.Count > 0 && !HasValue(root, "seconds")
            ? frames.Count / fps
            : RequiredNumber(root, "seconds", file);
        if (!(seconds > 0))
        {
            throw new DataFormatException(file, $"'seconds' must be positive, got {Format(seconds)}");
        }

        if (!(Math.Round(fps * seconds) <= CameraPath.MaxFrames))
        {
            throw new DataFormatException(file, $"'fps' x 'seconds' asks for {Format(Math.Round(fps * seconds))} frames; at most {CameraPath.MaxFrames} are allowed");
        }

        return new CameraPath(width, height, fps, seconds)
        {
            Keyframes = keyframes,
            Frames = frames,
            DefaultFovDegrees = defaultFov,
            DefaultTransitionSeconds = defaultTransition,
            IsCycle = isCycle,
            Tension = tension,
            CameraType = "perspective",
        };
    }

    private static IEnumerable<(JsonElement Entry, string Where)> Entries(JsonElement root, string key, string file)
    {
        if (!root.TryGetProperty(key, out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException(file, $"'{key}' is not a list");
        }

        int i = 0;
        foreach (JsonElement entry in list.EnumerateArray())
        {
            string where = $"{key}[{i}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(file, $"'{where}' is not a JSON object");
            }

            yield return (entry, where);
            i++;
        }
    }

    private static Pose ReadMatrix(JsonElement entry, string[] keys, string file, string where)
    {
        JsonElement m = default;
        string? found = null;
        foreach (string key in keys)
        {
            if (entry.TryGetProperty(key, out m) && m.ValueKind != JsonValueKind.Null)
            {
                found = key;
                break;
            }
        }

        if (found is null)
        {
            throw new DataFormatException(file, $"'{where}.{keys[0]}' is missing");
        }

        string name = $"{where}.{found}";
        var values = new List<double>(16);
        if (m.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement e in m.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement x in e.EnumerateArray())
                    {
                        values.Add(Number(x, file, name));
                    }
                }
                else
                {
                    values.Add(Number(e, file, name));
                }
            }
        }

        if (m.ValueKind != JsonValueKind.Array || values.Count != 16)
        {
            throw new DataFormatException(file, $"'{name}' is not a 4x4 matrix (16 numbers, row-major)");
        }

        if (Math.Abs(values[12]) > RigidTolerance || Math.Abs(values[13]) > RigidTolerance || Math.Abs(values[14]) > RigidTolerance || Math.Abs(values[15] - 1) > RigidTolerance)
        {
            throw new DataFormatException(file, $"'{name}' does not end in the row 0 0 0 1 (a row-major camera-to-world matrix is expected)");
        }

        for (int a = 0; a < 3; a++)
        {
            for (int b = a; b < 3; b++)
            {
                double dot = (values[a] * values[b]) + (values[4 + a] * values[4 + b]) + (values[8 + a] * values[8 + b]);
                if (Math.Abs(dot - (a == b ? 1 : 0)) > RigidTolerance)
                {
                    throw new DataFormatException(file, $"'{name}' is not a rigid transform (its rotation block is not orthonormal)");
                }
            }
        }

        return new Pose(values.ToArray().AsSpan(0, 12));
    }

    private static double? Aspect(JsonElement entry, string file, string where)
    {
        double? aspect = OptionalNumber(entry, "aspect", file, $"{where}.aspect");
        if (aspect is double a && !(a > 0))
        {
            throw new DataFormatException(file, $"'{where}.aspect' must be positive, got {Format(a)}");
        }

        return aspect;
    }

    private static void CheckFov(double fov, string file, string name)
    {
        if (!(fov > 0 && fov < 180))
        {
            throw new DataFormatException(file, $"'{name}' must be a vertical field of view in degrees in (0, 180), got {Format(fov)}");
        }
    }

    private static int ImageSize(JsonElement root, string key, string file)
    {
        double v = RequiredNumber(root, key, file);
        if (!(v >= 1) || v > 65536 || Math.Abs(v - Math.Round(v)) > 1e-6)
        {
            throw new DataFormatException(file, $"'{key}' must be a whole number of pixels from 1 to 65536, got {Format(v)}");
        }

        return (int)Math.Round(v);
    }

    private static bool HasValue(JsonElement obj, string key) => obj.TryGetProperty(key, out JsonElement e) && e.ValueKind != JsonValueKind.Null;

    private static double RequiredNumber(JsonElement obj, string key, string file, string? name = null)
    {
        name ??= key;
        if (!obj.TryGetProperty(key, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            throw new DataFormatException(file, $"'{name}' is missing");
        }

        return Number(e, file, name);
    }

    private static double? OptionalNumber(JsonElement obj, string key, string file, string name) =>
        obj.TryGetProperty(key, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? Number(e, file, name) : null;

    private static double Number(JsonElement e, string file, string name)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v))
        {
            throw new DataFormatException(file, $"'{name}' is not a number");
        }

        if (!double.IsFinite(v))
        {
            throw new DataFormatException(file, $"'{name}' is not a finite number");
        }

        return v;
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
