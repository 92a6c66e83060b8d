using System.Diagnostics;

namespace NerfSharp.Tests.Testing;

/// <summary>
/// Debian's libjpeg-turbo command-line tools (djpeg, cjpeg, jpegtran) as a reference decoder and as a source of
/// test files. Installed with apt-get when missing and running as root (test.sh installs them too); otherwise the tests fail
/// with a message saying how to install them.
/// </summary>
public static class LibJpegTools
{
    private static readonly Lazy<string> BinDir = new(Locate);

    /// <summary>Decodes a JPEG with djpeg (by default islow DCT and fancy upsampling; -nosmooth replicates chroma): width, height, channels and interleaved bytes.</summary>
    public static (int Width, int Height, int Channels, byte[] Samples) Djpeg(string jpegPath, params string[] options)
    {
        byte[] pnm = RunBytes("djpeg", null, [.. options, "-pnm", jpegPath]);
        return ParsePnm(pnm);
    }

    /// <summary>Encodes an 8-bit image given as PNM bytes with cjpeg and the given options (e.g. "-progressive").</summary>
    public static byte[] Cjpeg(byte[] pnm, params string[] options) => RunBytes("cjpeg", pnm, options);

    /// <summary>Binary PPM (3 channels) or PGM (1 channel) bytes of an interleaved 8-bit image.</summary>
    public static byte[] ToPnm(int width, int height, int channels, byte[] samples)
    {
        byte[] header = System.Text.Encoding.ASCII.GetBytes($"{(channels == 1 ? "P5" : "P6")}\n{width} {height}\n255\n");
        return [.. header, .. samples];
    }

    private static (int, int, int, byte[]) ParsePnm(byte[] d)
    {
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)d[pos]))
            {
                pos++;
            }

            int start = pos;
            while (!char.IsWhiteSpace((char)d[pos]))
            {
                pos++;
            }

            return System.Text.Encoding.ASCII.GetString(d, start, pos - start);
        }

        string magic = Token();
        int w = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int h = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        int max = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        pos++;
        Assert.Equal(255, max);
        int channels = magic == "P5" ? 1 : 3;
        Assert.Equal(w * h * channels, d.Length - pos);
        return (w, h, channels, d[pos..]);
    }

    private static byte[] RunBytes(string tool, byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(BinDir.Value, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }

        copy.Wait();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {stderr.Result}");
        return output.ToArray();
    }

    private static string Locate()
    {
        string? found = Find();
        if (found is null && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            using var install = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjpeg-turbo-progs >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjpeg-turbo-progs >/dev/null 2>&1)"]))!;
            install.WaitForExit();
            found = Find();
        }

        return found ?? throw new InvalidOperationException("djpeg/cjpeg not found: install libjpeg-turbo-progs (apt-get install libjpeg-turbo-progs); test.sh does this");
    }

    private static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "djpeg")) && File.Exists(Path.Combine(dir, "cjpeg")))
            {
                return dir;
            }
        }

        return null;
    }
}
