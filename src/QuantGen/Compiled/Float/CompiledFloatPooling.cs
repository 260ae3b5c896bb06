using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// Max, average or adaptive average pooling over NCHW planes in a generated float pass (<see cref="PoolingKernels"/>);
/// the geometry is one sample's, its planes multiplied by the pass's samples. Stateless: shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatPool
{
    private enum Kind { Max, Average, Adaptive }

    private readonly Kind kind;
    private readonly PoolGeometry geometry;
    private readonly bool countIncludePad;
    private readonly (int OutHeight, int OutWidth) adaptive;

    private CompiledFloatPool(Kind kind, in PoolGeometry geometry, bool countIncludePad = false, (int, int) adaptive = default) =>
        (this.kind, this.geometry, this.countIncludePad, this.adaptive) = (kind, geometry, countIncludePad, adaptive);

    /// <summary>The max pool (2-D, or 1-D over one row) at <paramref name="path"/>, checked against <paramref name="geometry"/> (Planes = channels).</summary>
    public static CompiledFloatPool Max(Module model, string path, in PoolGeometry geometry)
    {
        CompiledPool.CheckMax(model, path, geometry);
        return new(Kind.Max, geometry);
    }

    /// <summary>The average pool (2-D, or 1-D over one row) at <paramref name="path"/>, checked against <paramref name="geometry"/> (Planes = channels).</summary>
    public static CompiledFloatPool Average(Module model, string path, in PoolGeometry geometry, bool countIncludePad)
    {
        CompiledPool.CheckAverage(model, path, geometry, countIncludePad);
        return new(Kind.Average, geometry, countIncludePad);
    }

    /// <summary>An adaptive average pool of one sample's planes (a module's arguments are its output size alone).</summary>
    public static CompiledFloatPool Adaptive(int planes, int inHeight, int inWidth, int outHeight, int outWidth) =>
        new(Kind.Adaptive, new PoolGeometry(planes, inHeight, inWidth, 1, 1, 1, 1), adaptive: (outHeight, outWidth));

    public CompiledFloatPool Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        PoolGeometry g = geometry with { Planes = geometry.Planes * batch };
        switch (kind)
        {
            case Kind.Max: PoolingKernels.MaxPool(g, input, output); break;
            case Kind.Average: PoolingKernels.AvgPool(g, countIncludePad, input, output); break;
            default: PoolingKernels.AdaptiveAvgPool(g.Planes, g.InHeight, g.InWidth, adaptive.OutHeight, adaptive.OutWidth, input, output); break;
        }
    }
}
