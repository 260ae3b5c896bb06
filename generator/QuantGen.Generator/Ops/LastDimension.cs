using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>The shape rule of ops over the last dimension (Linear, LayerNorm): it must be the argument's count.</summary>
internal static class LastDimension
{
    /// <summary>A copy of the input shape, once its last dimension is <paramref name="argument"/>'s value.</summary>
    public static long[] Require(ShapeContext context, string argument, string expected)
    {
        long[] input = context.Input;
        long last = input[input.Length - 1];
        if (last != context.Args.Int(argument)) throw context.ArgumentMismatch(argument, expected, last);
        return (long[])input.Clone();
    }
}
