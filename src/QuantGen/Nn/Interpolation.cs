using QuantGen.Autograd;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>What <see cref="Upsample"/> and <see cref="Functional.Interpolate(Tensor, int?, double?, UpsampleMode, bool?)"/> share: PyTorch's argument rules and the run.</summary>
internal static class Interpolation
{
    public static void Check((int Height, int Width)? size, double? scaleFactor, UpsampleMode mode, bool? alignCorners, string op)
    {
        if (size is null == scaleFactor is null)
        {
            throw new ArgumentException($"{op}: give either a size or a scale factor, not {(size is null ? "neither" : "both")}.");
        }
        if (size is { } s && (s.Height <= 0 || s.Width <= 0)) throw new ArgumentException($"{op}: the size must be positive, got ({s.Height}, {s.Width}).");
        if (scaleFactor is double f && !(f > 0 && double.IsFinite(f))) throw new ArgumentException($"{op}: the scale factor must be positive and finite, got {f}.");
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"{op}: unknown mode {mode}.");
        if (alignCorners is not null && mode == UpsampleMode.Nearest)
        {
            throw new ArgumentException($"{op}: align_corners can only be set with an interpolating mode (bilinear), as in PyTorch.");
        }
    }

    /// <summary>The geometry for an NCHW input, with the output size PyTorch computes.</summary>
    public static UpsampleGeometry Geometry(Shape input, (int Height, int Width)? size, double? scaleFactor, UpsampleMode mode, bool alignCorners)
    {
        int height = input[2], width = input[3];
        var (outHeight, outWidth) = size ?? (UpsampleGeometry.ScaledSize(height, scaleFactor!.Value), UpsampleGeometry.ScaledSize(width, scaleFactor!.Value));
        if (outHeight <= 0 || outWidth <= 0)
        {
            throw new ShapeMismatchException($"Upsampling {input} by {scaleFactor} gives an empty {outHeight}×{outWidth} output.");
        }
        return new UpsampleGeometry(input[0] * input[1], height, width, outHeight, outWidth, mode, alignCorners, scaleFactor ?? 0, scaleFactor ?? 0);
    }

    public static Tensor Run(Tensor input, (int Height, int Width)? size, double? scaleFactor, UpsampleMode mode, bool alignCorners)
    {
        var geometry = Geometry(input.Shape, size, scaleFactor, mode, alignCorners);
        var shape = new Shape(input.Size(0), input.Size(1), geometry.OutHeight, geometry.OutWidth);
        if (input.IsQuantized)
        {
            var values = new byte[geometry.OutputLength];
            QUpsample2d.Forward(geometry, input.QuantizedData, input.QuantZeroPoint, values);
            return Tensor.FromQuantized(shape, values, input.QuantScale, input.QuantZeroPoint);
        }
        var output = Tensor.Uninitialized(shape);
        UpsampleKernels.Forward(geometry, input.Data, output.Data);
        if (!GradMode.Records(input)) return output;
        return GradNode.Record(output, "Upsample", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (!dx.IsEmpty) UpsampleKernels.Backward(geometry, dy, dx);
        });
    }
}
