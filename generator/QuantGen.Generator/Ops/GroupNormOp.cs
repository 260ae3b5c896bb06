using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

internal sealed record GroupNormArgs(int NumGroups, int NumChannels);

/// <summary><c>GroupNorm(numGroups, numChannels, eps, affine)</c>: no int8 kernel here, a float island.</summary>
internal sealed class GroupNormOp : OpDescriptor<GroupNormArgs>
{
    public override string Kind => "GroupNorm";

    public override Int8Form Int8Form => Int8Form.FloatIsland;

    public override GroupNormArgs Read(OpArgs args) => new(args.Int("numGroups"), args.Int("numChannels"));

    protected override long[] InferShape(ShapeContext context, GroupNormArgs a)
    {
        context.RequirePositive("numGroups", "numChannels");
        if (a.NumChannels % a.NumGroups != 0)
        {
            throw context.Invalid($"numChannels={a.NumChannels} must be a multiple of numGroups={a.NumGroups}", "numChannels");
        }

        if (context.Input.Length < 1 || context.Input[0] != a.NumChannels) throw context.ArgumentMismatch("numChannels", $"{a.NumChannels} input channels", context.Input.Length > 0 ? context.Input[0] : 0);
        return context.Input;
    }

    protected override Int8Lowering Lower(LoweringContext context, GroupNormArgs a)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(context.InputShape);
        return new GroupNormLowering(context.InputShape, a.NumGroups, channels, pixels);
    }

    protected override FloatLowering LowerFloat(LoweringContext context, GroupNormArgs a)
    {
        (int channels, int pixels) = Int8Planner.ChannelsAndPixels(context.InputShape);
        return new FloatGroupNormLowering(a.NumGroups, channels, pixels);
    }
}
