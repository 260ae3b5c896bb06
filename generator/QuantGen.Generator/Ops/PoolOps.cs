using QuantGen.Generator.Emitting;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record PoolArgs(int KernelSize, int Stride, int Padding, int Dilation, bool CeilMode, bool CountIncludePad);

/// <summary>
/// <c>MaxPool2d(kernelSize, stride, padding, dilation, ceilMode)</c> and <c>AvgPool2d(kernelSize, stride, padding,
/// ceilMode, countIncludePad)</c>: PyTorch's window rules; both keep their input's qparams.
/// </summary>
internal sealed class PoolOp(bool max) : OpDescriptor<PoolArgs>
{
    public override string Kind => max ? "MaxPool2d" : "AvgPool2d";

    public override Int8Form Int8Form => Int8Form.Kernel;

    public override PoolArgs Read(OpArgs a)
    {
        int kernel = a.Int("kernelSize");
        // stride null is the kernel size, as in PyTorch; AvgPool2d has no dilation.
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

        context.RequireRank3();
        long[] input = context.Input;
        return
        [
            input[0],
            context.Window(input[1], a.KernelSize, a.Stride, a.Padding, a.Dilation, a.CeilMode),
            context.Window(input[2], a.KernelSize, a.Stride, a.Padding, a.Dilation, a.CeilMode),
        ];
    }

    protected override Int8Lowering Lower(LoweringContext context, PoolArgs a) =>
        max ? new MaxPool2dLowering(Window(context, a)) : new AvgPool2dLowering(Window(context, a), a.CountIncludePad);

    protected override FloatLowering LowerFloat(LoweringContext context, PoolArgs a) =>
        max ? new FloatPoolLowering("Max", Window(context, a)) : new FloatPoolLowering("Average", Window(context, a), $", countIncludePad: {StepText.Bool(a.CountIncludePad)}");

    private static PoolWindow Window(LoweringContext context, PoolArgs a)
    {
        var input = context.InputShape;
        return new PoolWindow(input[0], input[1], input[2], a.KernelSize, a.Stride, a.Padding, a.Dilation, a.CeilMode);
    }
}
