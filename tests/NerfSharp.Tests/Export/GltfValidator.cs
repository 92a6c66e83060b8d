using System.Diagnostics;
using System.Text.Json;

namespace NerfSharp.Tests.Export;

/// <summary>
/// Runs the Khronos glTF validator (npm package gltf-validator under NERFSHARP_NPM_PREFIX, default ~/.cache/nerfsharp-npm,
/// where test.sh installs it) on a file through node, and returns its report.
/// </summary>
public static class GltfValidator
{
    private const string Script = """
        const fs = require('fs');
        const path = require('path');
        const validator = require(path.join(process.argv[2], 'gltf-validator'));
        validator.validateBytes(new Uint8Array(fs.readFileSync(process.argv[3]))).then(
          (report) => { console.log(JSON.stringify(report)); },
          (error) => { console.error(String(error)); process.exit(2); });
        """;

    public static string NodeModules
    {
        get
        {
            string prefix = Environment.GetEnvironmentVariable("NERFSHARP_NPM_PREFIX") is { Length: > 0 } p
                ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "nerfsharp-npm");
            return Path.Combine(prefix, "node_modules");
        }
    }

    public static JsonElement Validate(string glbPath)
    {
        string modules = NodeModules;
        Assert.True(
            Directory.Exists(Path.Combine(modules, "gltf-validator")),
            $"the glTF validator is not installed in {modules}: run test.sh, or npm install --prefix {Path.GetDirectoryName(modules)} gltf-validator");
        string script = Path.Combine(Path.GetDirectoryName(glbPath)!, "validate_gltf.cjs");
        File.WriteAllText(script, Script);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(modules);
        start.ArgumentList.Add(glbPath);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"gltf-validator failed: {error}");
        return JsonDocument.Parse(output.Result).RootElement;
    }
}
