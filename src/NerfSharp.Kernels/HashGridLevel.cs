namespace NerfSharp.Kernels;

/// <summary>
/// One level of a multiresolution hash grid as the kernels see it (tiny-cuda-nn's per-level constants):
/// the level's table is entries <see cref="Offset"/> .. <see cref="Offset"/> + <see cref="TableSize"/> - 1 of the
/// concatenated table (each entry holds the level's F features); a position x in [0,1] maps to the grid coordinate
/// <see cref="Scale"/> * x + 0.5; corner (i, j, k) has table index i + j R + k R^2 mod <see cref="TableSize"/>
/// when <see cref="Dense"/> (R = <see cref="Resolution"/>), else
/// (i ^ j * 2654435761 ^ k * 805459861) mod <see cref="TableSize"/> in uint32 arithmetic (then TableSize is a power of two).
/// </summary>
public readonly record struct HashGridLevel(int Offset, int TableSize, int Resolution, float Scale, bool Dense);
