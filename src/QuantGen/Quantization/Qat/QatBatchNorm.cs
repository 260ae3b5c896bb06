using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// The BatchNorm half of PyTorch's QAT <c>ConvBn2d</c> and <c>LinearBn1d</c> (<c>_forward</c>): the weight scaled by
/// s = γ/√(running_var + ε) per output channel before its fake quantization — the weight convert will fold — and the
/// layer's output divided by s again, the bias added, and the BatchNorm applied, so that it sees the layer's own scale.
/// </summary>
internal static class QatBatchNorm
{
    /// <summary>s per output channel: σ is a constant here (a buffer); γ receives gradient through both scalings.</summary>
    public static Tensor ScaleFactor(BatchNorm batchNorm, int channels)
    {
        var runningStd = new float[channels];
        for (int c = 0; c < channels; c++) runningStd[c] = MathF.Sqrt(batchNorm.RunningVar.Data[c] + batchNorm.Eps);
        var gamma = batchNorm.Weight ?? Tensor.Full(1f, channels);
        return ChannelScaling.Divide(gamma, Tensor.FromArray(runningStd, channels), axis: 0);
    }

    /// <summary>The weight times s along its axis 0 (its output channels).</summary>
    public static Tensor ScaledWeight(Tensor weight, Tensor scaleFactor) => ChannelScaling.Multiply(weight, scaleFactor, axis: 0);

    /// <summary>The output of the scaled weight (channels along axis 1), divided by s, plus the bias, through the BatchNorm.</summary>
    public static Tensor Normalized(Tensor output, Tensor scaleFactor, Tensor? bias, BatchNorm batchNorm, bool useBatchStatistics)
    {
        var unscaled = ChannelScaling.Divide(output, scaleFactor, axis: 1);
        if (bias is not null) unscaled = ChannelScaling.Add(unscaled, bias, axis: 1);
        return batchNorm.Normalize(unscaled, useBatchStatistics);
    }
}
