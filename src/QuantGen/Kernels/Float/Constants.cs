namespace QuantGen.Kernels.Float;

/// <summary>
/// A small count fixed at JIT time: a kernel generic over it is compiled once per value, with loops over it
/// unrolled and the accumulators it does not use removed.
/// </summary>
internal interface IConstant
{
    static abstract int Value { get; }
}

internal readonly struct One : IConstant
{
    public static int Value => 1;
}

internal readonly struct Two : IConstant
{
    public static int Value => 2;
}

internal readonly struct Three : IConstant
{
    public static int Value => 3;
}

internal readonly struct Four : IConstant
{
    public static int Value => 4;
}
