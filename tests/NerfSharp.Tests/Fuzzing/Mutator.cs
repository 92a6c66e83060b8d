using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace NerfSharp.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of valid inputs: bit flips, interesting byte values, truncations, huge size fields,
/// inserted / duplicated / deleted slices, and for text formats wrong-typed or out-of-range values in place of tokens.
/// </summary>
internal static partial class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'"', (byte)'\n'];

    private static readonly uint[] HugeValues = [0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x40000000, 0x00FFFFFF, 65536, 100_000, 46341];

    private static readonly string[] WrongValues =
    [
        "1e400", "-1e400", "-1", "0", "-0", "99999999999999999999", "2147483648", "-2147483649", "0.5", "1e-320",
        "\"x\"", "\"\"", "[]", "[1]", "[[1,2],[3]]", "{}", "null", "true", "false", "NaN", "Infinity",
    ];

    public static byte[] MutateBytes(byte[] seed, Random rng)
    {
        var data = new List<byte>(seed);
        int ops = rng.Next(1, 4);
        for (int k = 0; k < ops && data.Count > 0; k++)
        {
            int at = rng.Next(data.Count);
            switch (rng.Next(8))
            {
                case 0: // flip 1..8 bits
                    for (int b = rng.Next(1, 9); b > 0; b--)
                    {
                        int i = rng.Next(data.Count);
                        data[i] ^= (byte)(1 << rng.Next(8));
                    }

                    break;
                case 1:
                    data[at] = InterestingBytes[rng.Next(InterestingBytes.Length)];
                    break;
                case 2: // truncate
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 3: // a huge 32-bit size, big- or little-endian
                    if (data.Count >= 4)
                    {
                        at = Math.Min(at, data.Count - 4);
                        var field = new byte[4];
                        uint v = HugeValues[rng.Next(HugeValues.Length)];
                        if (rng.Next(2) == 0)
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(field, v);
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt32LittleEndian(field, v);
                        }

                        for (int i = 0; i < 4; i++)
                        {
                            data[at + i] = field[i];
                        }
                    }

                    break;
                case 4: // insert random bytes
                    var inserted = new byte[rng.Next(1, 32)];
                    rng.NextBytes(inserted);
                    data.InsertRange(at, inserted);
                    break;
                case 5: // duplicate a slice
                    int len = Math.Min(rng.Next(1, 256), data.Count - at);
                    data.InsertRange(at, data.GetRange(at, len));
                    break;
                case 6: // delete a slice
                    data.RemoveRange(at, Math.Min(rng.Next(1, 64), data.Count - at));
                    break;
                default: // overwrite with random bytes
                    for (int i = at; i < Math.Min(data.Count, at + rng.Next(1, 16)); i++)
                    {
                        data[i] = (byte)rng.Next(256);
                    }

                    break;
            }
        }

        return data.ToArray();
    }

    public static string MutateText(string seed, Random rng)
    {
        string s = seed;
        int ops = rng.Next(1, 4);
        for (int k = 0; k < ops; k++)
        {
            switch (rng.Next(7))
            {
                case 0:
                case 1: // a value of the wrong type or out of range in place of a number, string, array or literal
                    var tokens = Token().Matches(s);
                    if (tokens.Count > 0)
                    {
                        var m = tokens[rng.Next(tokens.Count)];
                        s = s[..m.Index] + WrongValues[rng.Next(WrongValues.Length)] + s[(m.Index + m.Length)..];
                    }

                    break;
                case 2: // truncate
                    s = s[..rng.Next(s.Length + 1)];
                    break;
                case 3: // delete a slice
                    if (s.Length > 0)
                    {
                        int at = rng.Next(s.Length);
                        s = s.Remove(at, Math.Min(rng.Next(1, 12), s.Length - at));
                    }

                    break;
                case 4: // insert structure characters
                    string[] bits = ["{", "}", "[", "]", ",", ":", "\"", "\\", "=", "#", "\n", "\0", "\u00e9", " = ", "\t"];
                    s = s.Insert(rng.Next(s.Length + 1), bits[rng.Next(bits.Length)]);
                    break;
                case 5: // duplicate a slice (duplicate keys, repeated lines)
                    if (s.Length > 0)
                    {
                        int at = rng.Next(s.Length);
                        int len = Math.Min(rng.Next(1, 200), s.Length - at);
                        s = s.Insert(at, s.Substring(at, len));
                    }

                    break;
                default: // byte-level damage (invalid UTF-8 among it)
                    s = Encoding.UTF8.GetString(MutateBytes(Encoding.UTF8.GetBytes(s), rng));
                    break;
            }
        }

        return s;
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?|""[^""\n]*""|\btrue\b|\bfalse\b|\bnull\b|\bTrue\b|\bFalse\b|\[[^\[\]]*\]")]
    private static partial Regex Token();
}
