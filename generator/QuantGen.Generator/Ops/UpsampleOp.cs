using System.Collections.Generic;
using System.Globalization;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// Upsample's arguments: the output size or the scale factor (with its C# text), the mode (<c>UpsampleMode</c>'s value:
/// 0 nearest, 1 bilinear) and align_corners.
/// </summary>
internal sealed record UpsampleArgs(int? Size, double? ScaleFactor, string ScaleText, int Mode, bool AlignCorners)
{
    public bool Bilinear => Mode == 1;

    /// <summary>Nearest mode by a scale factor that is not a whole number: the generated pass runs it as a float island.</summary>
    public bool IsFractionalNearest => !Bilinear && ScaleFactor is double f && f != System.Math.Floor(f);
}

/// <summary>
/// <c>Upsample(size, scaleFactor, mode, alignCorners)</c> and <c>Functional.Interpolate(x, size, scaleFactor, mode,
/// alignCorners)</c>: PyTorch's output size, the input's qparams kept. Nearest by a non-integer scale factor runs as a
/// float island (QG0009 names it); everything else on quint8.
/// </summary>
internal sealed class UpsampleOp : OpDescriptor<UpsampleArgs>
{
    public override string Kind => "Upsample";

    public override IReadOnlyList<string> FunctionalNames => ["Interpolate"];

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override Int8Form Int8FormFor(OpArgs args) => Read(args).IsFractionalNearest ? Int8Form.FloatIsland : Int8Form.Kernel;

    public override string? IslandReason(OpArgs args) =>
        Read(args) is { IsFractionalNearest: true } a
            ? $"nearest by the non-integer scale factor {a.ScaleText}"
            : null;

    public override UpsampleArgs Read(OpArgs a)
    {
        double? scale = a.Arg("scaleFactor") is { } arg && arg.Text != "null"
            ? arg.Integer ?? double.Parse(arg.Text.TrimEnd('f', 'F', 'd', 'D', 'm', 'M'), CultureInfo.InvariantCulture)
            : null;
        int? size = a.Arg("size")?.Integer is long s ? (int)s : null;
        return new UpsampleArgs(size, scale, a.Arg("scaleFactor")?.Text ?? "", a.Int("mode"), a.Flag("alignCorners", false));
    }

    protected override long[] InferShape(ShapeContext context, UpsampleArgs a)
    {
        if (a.Size is null == a.ScaleFactor is null)
        {
            throw context.Invalid($"give either size or scaleFactor, not {(a.Size is null ? "neither" : "both")}", a.Size is null ? "scaleFactor" : "size");
        }

        if (a.Size is int size && size <= 0) throw context.Invalid($"size must be positive, got {size}", "size");
        if (a.ScaleFactor is double f && !(f > 0)) throw context.Invalid($"scaleFactor must be positive, got {a.ScaleText}", "scaleFactor");
        if (a.Mode is not (0 or 1)) throw context.Invalid($"mode must be UpsampleMode.Nearest or UpsampleMode.Bilinear, got {a.Mode}", "mode");
        context.RequireRank3();
        long[] input = context.Input;
        long Scaled(long length) => a.Size ?? (long)(length * a.ScaleFactor!.Value);
        long height = Scaled(input[1]), width = Scaled(input[2]);
        if (height <= 0 || width <= 0) throw context.Mismatch($"an input that scaleFactor {a.ScaleText} scales to at least 1 × 1", $"{input[1]} × {input[2]}");
        return [input[0], height, width];
    }

    protected override Int8Lowering Lower(LoweringContext context, UpsampleArgs a)
    {
        var geometry = Window(context, a);
        return a.IsFractionalNearest ? new UpsampleIslandLowering(context.InputShape, geometry) : new UpsampleLowering(geometry);
    }

    /// <summary>Every mode and factor: the float kernel eager runs.</summary>
    protected override FloatLowering LowerFloat(LoweringContext context, UpsampleArgs a) => new FloatUpsampleLowering(Window(context, a));

    private static UpsampleWindow Window(LoweringContext context, UpsampleArgs a)
    {
        var input = context.InputShape;
        var output = context.OutputShape;
        return new UpsampleWindow(input[0], input[1], input[2], output[1], output[2], a.Bilinear, a.AlignCorners, a.ScaleFactor);
    }
}
