using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// An <see cref="Upsample"/> (or <c>Functional.Interpolate</c>) in a generated float pass, on NCHW planes
/// (<see cref="UpsampleKernels"/>, eager's kernel); the geometry is one sample's. Stateless: shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatUpsample
{
    private readonly UpsampleGeometry geometry;
    private readonly ((int, int, float, float)[], (int, int, float, float)[]) sources;

    private CompiledFloatUpsample(in UpsampleGeometry geometry) => (this.geometry, sources) = (geometry, UpsampleKernels.Sources(geometry));

    /// <summary>The Upsample at <paramref name="path"/>, checked against the <paramref name="geometry"/> the code was compiled for (Planes = channels).</summary>
    public static CompiledFloatUpsample Create(Module model, string path, in UpsampleGeometry geometry)
    {
        CompiledUpsampleChecks.Check(path, geometry, CompiledModel.Layer<Upsample>(model, path));
        return new CompiledFloatUpsample(geometry);
    }

    /// <summary>The upsampling of a <c>Functional.Interpolate</c> call in Forward: no module to check.</summary>
    public static CompiledFloatUpsample Functional(in UpsampleGeometry geometry) => new(geometry);

    public CompiledFloatUpsample Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) =>
        UpsampleKernels.Forward(geometry with { Planes = input.Length / (geometry.InHeight * geometry.InWidth) }, sources, input, output);
}
