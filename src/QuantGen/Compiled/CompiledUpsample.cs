using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>
/// An <see cref="Upsample"/> (or <c>Functional.Interpolate</c>) in the generated int8 pass, on channels-last samples; the
/// output keeps the input's qparams, as eager int8 does. Immutable: every fork of a pass shares it.
/// </summary>
public sealed class CompiledUpsample
{
    private readonly ChannelsLastUpsample kernel;

    private CompiledUpsample(in UpsampleGeometry geometry, ActivationQParams q) => (kernel, Output) = (new ChannelsLastUpsample(geometry), q);

    public ActivationQParams Output { get; }

    /// <summary>The Upsample at <paramref name="path"/>, checked against the <paramref name="geometry"/> the code was compiled for (Planes = channels).</summary>
    public static CompiledUpsample Create(Module model, string path, ActivationQParams input, in UpsampleGeometry geometry)
    {
        var layer = CompiledModel.Unfused<Upsample>(model, path);
        CompiledUpsampleChecks.Check(path, geometry, layer);
        return new CompiledUpsample(geometry, input);
    }

    /// <summary>The upsampling of a <c>Functional.Interpolate</c> call in Forward: no module to check.</summary>
    public static CompiledUpsample Functional(ActivationQParams input, in UpsampleGeometry geometry) => new(geometry, input);

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledUpsample Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch) => kernel.Forward(input, output, batch, Output.ZeroPoint);
}

/// <summary>
/// An <see cref="Upsample"/> the generated pass runs as a float island (nearest mode by a non-integer factor, see
/// QG0009): dequantize, upsample in float, quantize with the input's qparams — the bytes eager int8's copy gives,
/// since nearest only moves values and each dequantized byte quantizes back to itself.
/// </summary>
public sealed class CompiledUpsampleIsland : CompiledFloatIsland
{
    private readonly UpsampleGeometry geometry;

    private CompiledUpsampleIsland(in UpsampleGeometry geometry, ActivationQParams q)
        : base(q, q, geometry.Planes, geometry.InHeight * geometry.InWidth) => this.geometry = geometry;

    public static CompiledUpsampleIsland Create(Module model, string path, ActivationQParams input, in UpsampleGeometry geometry)
    {
        var layer = CompiledModel.Unfused<Upsample>(model, path);
        CompiledUpsampleChecks.Check(path, geometry, layer);
        return new CompiledUpsampleIsland(geometry, input);
    }

    /// <summary>Keeps no scratch (the caller lends it): every fork of a generated pass shares this one.</summary>
    public CompiledUpsampleIsland Fork() => this;

    /// <summary>Its output is larger than its input: it dequantizes into the scratch, and writes the output itself.</summary>
    private protected override void Run(ReadOnlySpan<float> input, Span<float> output) =>
        UpsampleKernels.Forward(geometry with { Planes = input.Length / (geometry.InHeight * geometry.InWidth) }, input, output);

    private protected override int OutputLength(int inputLength) => inputLength / (geometry.InHeight * geometry.InWidth) * geometry.OutHeight * geometry.OutWidth;

    private protected override (int Channels, int Pixels) OutputLayout => (geometry.Planes, geometry.OutHeight * geometry.OutWidth);
}

internal static class CompiledUpsampleChecks
{
    public static void Check(string path, in UpsampleGeometry g, Upsample layer)
    {
        CompiledModel.Check(path, "the mode", g.Mode, layer.Mode);
        CompiledModel.Check(path, "align_corners", g.AlignCorners, layer.AlignCorners);
        var expected = Interpolation.Geometry(new Shape(1, g.Planes, g.InHeight, g.InWidth), layer.Size, layer.ScaleFactor, layer.Mode, layer.AlignCorners);
        CompiledModel.Check(path, "the output size", (g.OutHeight, g.OutWidth), (expected.OutHeight, expected.OutWidth));
        CompiledModel.Check(path, "the scale factor", (g.ScaleHeight, g.ScaleWidth), (expected.ScaleHeight, expected.ScaleWidth));
    }
}
