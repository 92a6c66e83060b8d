using System.Text.Json;
using System.Text.Json.Serialization;

namespace NerfSharp.Configuration;

/// <summary>
/// <see cref="RunConfig"/> as the indented JSON of a run folder's config.json (camelCase names).
/// Reading is strict: unknown properties, nulls and malformed JSON are errors naming the source; missing properties keep their defaults.
/// </summary>
public static class RunConfigJson
{
    // Reflection-based on purpose: the source generator sets init-only properties that the JSON leaves out to
    // default(T) instead of keeping the record's initial values.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static string Serialize(RunConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return JsonSerializer.Serialize(c, Options);
    }

    public static RunConfig Deserialize(string json, string sourceName)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, Options)
                ?? throw new DataFormatException(sourceName, "config JSON is null");
        }
        catch (JsonException e)
        {
            string where = e.Path != null ? $" at {e.Path}" : string.Empty;
            throw new DataFormatException(sourceName, $"invalid run config{where}: {e.Message}", e);
        }
    }
}
