namespace NerfSharp.Export;

/// <summary>
/// The marching-cubes case table: for each of the 256 inside/outside patterns of a cube's corners, the triangles (as
/// triples of cube-edge indices) of the surface that separates inside corners from outside ones, wound so that the
/// right-hand normal points from inside to outside.
/// <para>The table is derived, not typed in. On each face of the cube the crossing points are joined by segments; a face
/// with two diagonal inside corners (the ambiguous case) always cuts each inside corner off on its own. That rule looks
/// at the face's four corners only, so the two cubes sharing a face draw the same segments there and the surface has no
/// holes. Each segment runs, seen from outside the cube, from the crossing where a counter-clockwise walk round the
/// face leaves the inside to the crossing where it comes back in; every crossing then starts one segment and ends one,
/// the segments chain into closed loops, and each loop is fanned into triangles.</para>
/// <para>Corner c sits at (c &amp; 1, (c &gt;&gt; 1) &amp; 1, (c &gt;&gt; 2) &amp; 1); the case index has bit c set when corner c
/// is inside.</para>
/// </summary>
public static class MarchingCubesTable
{
    /// <summary>The two corners of each of the 12 edges (the first is the one with the lower coordinate).</summary>
    public static readonly (int A, int B)[] EdgeCorners =
    [
        (0, 1), (2, 3), (4, 5), (6, 7), // along x
        (0, 2), (1, 3), (4, 6), (5, 7), // along y
        (0, 4), (1, 5), (2, 6), (3, 7), // along z
    ];

    /// <summary>The six faces' corners, counter-clockwise seen from outside the cube: -x, +x, -y, +y, -z, +z.</summary>
    private static readonly int[][] FaceCorners =
    [
        [0, 4, 6, 2],
        [1, 3, 7, 5],
        [0, 1, 5, 4],
        [2, 6, 7, 3],
        [0, 2, 3, 1],
        [4, 5, 7, 6],
    ];

    private static readonly int[] TriangleStart;
    private static readonly byte[] TriangleEdges;

    static MarchingCubesTable()
    {
        TriangleStart = new int[257];
        var edges = new List<byte>();
        for (int c = 0; c < 256; c++)
        {
            TriangleStart[c] = edges.Count;
            foreach (int[] loop in Loops(c))
            {
                // The loops run with the inside on the left seen from outside the cube, so their right-hand normal points
                // inwards: fan them in reverse for outward normals. The fan starts where none of its diagonals joins two
                // crossings of one face: such a chord could be drawn by the neighbouring cube too, and the edge would then
                // belong to four triangles.
                int s = FanStart(c, loop);
                for (int k = 1; k + 1 < loop.Length; k++)
                {
                    edges.Add((byte)loop[s]);
                    edges.Add((byte)loop[(s + k + 1) % loop.Length]);
                    edges.Add((byte)loop[(s + k) % loop.Length]);
                }
            }
        }

        TriangleStart[256] = edges.Count;
        TriangleEdges = [.. edges];
    }

    /// <summary>The edge index of the edge joining corners <paramref name="a"/> and <paramref name="b"/> (any order).</summary>
    public static int EdgeOf(int a, int b)
    {
        for (int e = 0; e < 12; e++)
        {
            if ((EdgeCorners[e].A == a && EdgeCorners[e].B == b) || (EdgeCorners[e].A == b && EdgeCorners[e].B == a))
            {
                return e;
            }
        }

        throw new ArgumentException($"corners {a} and {b} are not joined by a cube edge");
    }

    /// <summary>The triangles of case <paramref name="caseIndex"/>: three edge indices per triangle.</summary>
    public static ReadOnlySpan<byte> Triangles(int caseIndex) =>
        TriangleEdges.AsSpan(TriangleStart[caseIndex], TriangleStart[caseIndex + 1] - TriangleStart[caseIndex]);

    /// <summary>
    /// The closed loops of edge crossings of case <paramref name="caseIndex"/>, each running with the inside on its left
    /// seen from outside the cube.
    /// </summary>
    public static List<int[]> Loops(int caseIndex)
    {
        // next[e]: the crossing that the segment starting at crossing e ends at.
        var next = new int[12];
        Array.Fill(next, -1);
        foreach (int[] face in FaceCorners)
        {
            AddFaceSegments(caseIndex, face, next);
        }

        var loops = new List<int[]>();
        var used = new bool[12];
        for (int start = 0; start < 12; start++)
        {
            if (next[start] < 0 || used[start])
            {
                continue;
            }

            var loop = new List<int>();
            for (int e = start; !used[e]; e = next[e])
            {
                used[e] = true;
                loop.Add(e);
                if (next[e] < 0)
                {
                    throw new InvalidOperationException($"marching-cubes case {caseIndex}: crossing {e} starts no segment");
                }
            }

            loops.Add([.. loop]);
        }

        return loops;
    }

    /// <summary>The first loop position whose fan diagonals all cross the cube's interior.</summary>
    private static int FanStart(int caseIndex, int[] loop)
    {
        for (int s = 0; s < loop.Length; s++)
        {
            bool ok = true;
            for (int k = 2; k + 1 < loop.Length && ok; k++)
            {
                ok = !ShareFace(loop[s], loop[(s + k) % loop.Length]);
            }

            if (ok)
            {
                return s;
            }
        }

        throw new InvalidOperationException($"marching-cubes case {caseIndex}: no fan of loop [{string.Join(", ", loop)}] keeps its diagonals off the faces");
    }

    /// <summary>Whether edges <paramref name="e"/> and <paramref name="f"/> lie on one face of the cube.</summary>
    private static bool ShareFace(int e, int f)
    {
        foreach (int[] face in FaceCorners)
        {
            if (Array.IndexOf(face, EdgeCorners[e].A) >= 0 && Array.IndexOf(face, EdgeCorners[e].B) >= 0
                && Array.IndexOf(face, EdgeCorners[f].A) >= 0 && Array.IndexOf(face, EdgeCorners[f].B) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Inside(int caseIndex, int corner) => ((caseIndex >> corner) & 1) != 0;

    /// <summary>Adds the face's segments as next[from] = to.</summary>
    private static void AddFaceSegments(int caseIndex, int[] face, int[] next)
    {
        // Walking counter-clockwise, edge k runs from face[k] to face[k + 1].
        Span<int> leaving = stackalloc int[2];  // edges where the walk goes inside -> outside
        Span<int> entering = stackalloc int[2]; // edges where it goes outside -> inside
        int nLeave = 0, nEnter = 0;
        for (int k = 0; k < 4; k++)
        {
            bool a = Inside(caseIndex, face[k]), b = Inside(caseIndex, face[(k + 1) & 3]);
            if (a && !b)
            {
                leaving[nLeave++] = k;
            }
            else if (!a && b)
            {
                entering[nEnter++] = k;
            }
        }

        for (int i = 0; i < nLeave; i++)
        {
            // The segment leaving after inside corner face[k] goes to the crossing entering that same inside run: the
            // nearest entering edge walking backwards. With two diagonal inside corners this cuts each one off alone.
            int k = leaving[i];
            int target = -1;
            for (int back = 0; back < 4 && target < 0; back++)
            {
                int j = (k - back + 4) & 3;
                for (int m = 0; m < nEnter; m++)
                {
                    if (entering[m] == j)
                    {
                        target = j;
                    }
                }
            }

            int from = EdgeOf(face[k], face[(k + 1) & 3]);
            int to = EdgeOf(face[target], face[(target + 1) & 3]);
            if (next[from] >= 0)
            {
                throw new InvalidOperationException($"marching-cubes case {caseIndex}: crossing {from} starts two segments");
            }

            next[from] = to;
        }
    }
}
