using QuantGen.Generator.Emitting;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record PoolArgs(int KernelSize, int Stride, int Padding, int Dilation, bool CeilMode, bool CountIncludePad);

/// <summary>
/// <c>MaxPool2d(kernelSize, stride, padding, dilation, ceilMode)</c> and <c>AvgPool2d(kernelSize, stride, padding,
/// ceilMode, countIncludePad)</c> over [channels, height, width], and <c>MaxPool1d</c>/<c>AvgPool1d</c> with the same
/// arguments over [channels, length] (a 1 × k window over one row, as PyTorch runs them on quint8): PyTorch's window
/// rules; all keep their input's qparams.
/// </summary>
internal sealed class PoolOp(bool max, int dimensions) : OpDescriptor<PoolArgs>
{
    public override string Kind => (max ? "MaxPool" : "AvgPool") + (dimensions == 1 ? "1d" : "2d");

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override PoolArgs Read(OpArgs a)
    {
        int kernel = a.Int("kernelSize");
        // stride null is the kernel size, as in PyTorch; average pooling has no dilation.
        return new PoolArgs(kernel, a.IntOr("stride", kernel), a.Int("padding"), max ? a.Int("dilation") : 1, a.Flag("ceilMode", false), a.Flag("countIncludePad", true));
    }

    protected override long[] InferShape(ShapeContext context, PoolArgs a)
    {
        if (a.KernelSize <= 0) throw context.Invalid($"kernelSize must be positive, got {a.KernelSize}", "kernelSize");
        if (a.Stride <= 0) throw context.Invalid($"stride must be positive, got {a.Stride}", "stride");
        if (a.Dilation <= 0) throw context.Invalid($"dilation must be positive, got {a.Dilation}", "dilation");
        if (a.Padding < 0 || a.Padding > a.KernelSize / 2)
        {
            throw context.Invalid($"padding must be between 0 and half the kernel size ({a.KernelSize / 2}), got {a.Padding}", "padding");
        }

        context.RequireRank(dimensions + 1);
        long[] input = context.Input;
        long Along(int axis) => context.Window(input[axis], a.KernelSize, a.Stride, a.Padding, a.Dilation, a.CeilMode);
        return dimensions == 1 ? [input[0], Along(1)] : [input[0], Along(1), Along(2)];
    }

    protected override Int8Lowering Lower(LoweringContext context, PoolArgs a) =>
        max ? new MaxPool2dLowering(Window(context, a)) : new AvgPool2dLowering(Window(context, a), a.CountIncludePad);

    /// <summary>2-D only for now: a class with a 1-D pool gets no float pass (QG0014).</summary>
    protected override FloatLowering LowerFloat(LoweringContext context, PoolArgs a) =>
        max ? new FloatPoolLowering("Max", Window(context, a)) : new FloatPoolLowering("Average", Window(context, a), $", countIncludePad: {StepText.Bool(a.CountIncludePad)}");

    private PoolWindow Window(LoweringContext context, PoolArgs a)
    {
        var input = context.InputShape;
        return dimensions == 1
            ? new PoolWindow(input[0], 1, input[1], 1, a.KernelSize, 1, a.Stride, 0, a.Padding, 1, a.Dilation, a.CeilMode)
            : new PoolWindow(input[0], input[1], input[2], a.KernelSize, a.KernelSize, a.Stride, a.Stride, a.Padding, a.Padding, a.Dilation, a.Dilation, a.CeilMode);
    }
}
