using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// Picks the depthwise kernel for an image size: vectorised along rows (<see cref="DepthwisePlanes"/>) while an
/// output row fills most of a 16-float vector, across channels (<see cref="DepthwiseChannels"/>) below that.
/// </summary>
internal static unsafe class DepthwiseConv
{
    /// <summary>Outputs of at most this many pixels go across channels (MobileNetV2: 4×4 and smaller).</summary>
    private const int MaxPixelsAcrossChannels = 16;

    public static bool UsesChannels(in ConvGeometry g) => g.OutHeight * g.OutWidth <= MaxPixelsAcrossChannels;

    public static long ScratchFloats(in ConvGeometry g, bool weightsPacked) =>
        UsesChannels(g) ? DepthwiseChannels.ScratchFloats(g, weightsPacked) : DepthwisePlanes.ScratchFloats(g);

    /// <summary>
    /// <paramref name="weight"/> is PyTorch's [OutChannels, 1, kH, kW]; <paramref name="tapMajorWeight"/> the same
    /// as [tap][padded channel] (<see cref="PackedConvWeights"/>), or null to build it in scratch when needed.
    /// </summary>
    public static void Run(FloatKernelPath path, in ConvGeometry g, float* input, float* weight, float* tapMajorWeight, float* bias, float* output, float* scratch)
    {
        switch (path)
        {
            case FloatKernelPath.Vector512: Run<Path512, Vector512<float>>(g, input, weight, tapMajorWeight, bias, output, scratch); break;
            case FloatKernelPath.Vector256: Run<Path256, Vector256<float>>(g, input, weight, tapMajorWeight, bias, output, scratch); break;
            case FloatKernelPath.Vector128: Run<Path128, Vector128<float>>(g, input, weight, tapMajorWeight, bias, output, scratch); break;
            default: Run<PathScalar, float>(g, input, weight, tapMajorWeight, bias, output, scratch); break;
        }
    }

    private static void Run<TPath, TVector>(in ConvGeometry g, float* input, float* weight, float* tapMajorWeight, float* bias, float* output, float* scratch)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        if (!UsesChannels(g))
        {
            DepthwisePlanes.Run<TPath, TVector>(g, input, weight, bias, output, scratch);
            return;
        }
        if (tapMajorWeight == null)
        {
            tapMajorWeight = scratch;
            scratch += (long)g.KernelHeight * g.KernelWidth * DepthwiseChannels.PaddedChannels(g);
            DepthwiseChannels.TransposeWeights(g, weight, tapMajorWeight);
        }
        DepthwiseChannels.Run<TPath, TVector>(g, input, tapMajorWeight, bias, output, scratch);
    }
}
