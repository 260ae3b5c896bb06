using QuantGen.Kernels.Reference;

namespace QuantGen.IO.Qgm;

/// <summary>Reads quantization parameters back from their tensors, checking the values the kernels rely on.</summary>
internal static class QParamsTensors
{
    /// <summary>A weight's scales and zero points: scalars (per tensor) or one per output channel.</summary>
    public static WeightQParams TakeWeight(FileTensors tensors, string path, int outChannels)
    {
        string scaleKey = QgmFormat.Key(path, QgmFormat.WeightScale), zeroPointKey = QgmFormat.Key(path, QgmFormat.WeightZeroPoint);
        Shape[] shapes = [new Shape(), new Shape(outChannels)];
        var scaleTensor = tensors.Take(scaleKey, DType.F32, $"the weight scale of '{path}' (per tensor or per output channel)", shapes);
        var zeroPointTensor = tensors.Take(zeroPointKey, DType.I32, $"the weight zero point of '{path}', shaped as its scale", scaleTensor.Shape);
        float[] scales = scaleTensor.ToFloat32();
        int[] zeroPoints = zeroPointTensor.ToInt32();
        for (int c = 0; c < scales.Length; c++)
        {
            RequireScale(tensors, scaleKey, $"the weight scale of layer '{path}'", scales[c], c);
            if (zeroPoints[c] is < sbyte.MinValue or > sbyte.MaxValue)
            {
                throw tensors.BadValue(zeroPointKey, $"value {c} is {zeroPoints[c]}; expected a qint8 zero point in [-128, 127]");
            }
        }
        return scaleTensor.Shape.Rank == 0 ? WeightQParams.PerTensor(scales[0], zeroPoints[0]) : WeightQParams.PerChannel(scales, zeroPoints);
    }

    /// <summary>The calibrated quint8 qparams of a layer's output.</summary>
    /// <summary>The output qparams if the file has them (a FloatFunctional calibration never reached has none).</summary>
    public static ActivationQParams? TakeOptionalOutput(FileTensors tensors, string path) =>
        tensors.Contains(QgmFormat.Key(path, QgmFormat.Scale)) ? TakeOutput(tensors, path) : null;

    public static ActivationQParams TakeOutput(FileTensors tensors, string path)
    {
        string scaleKey = QgmFormat.Key(path, QgmFormat.Scale), zeroPointKey = QgmFormat.Key(path, QgmFormat.ZeroPoint);
        float scale = tensors.Take(scaleKey, DType.F32, $"the output scale of '{path}'", new Shape()).ToFloat32()[0];
        int zeroPoint = tensors.Take(zeroPointKey, DType.I32, $"the output zero point of '{path}'", new Shape()).ToInt32()[0];
        RequireScale(tensors, scaleKey, $"the output scale of layer '{path}'", scale, 0);
        if (zeroPoint is < byte.MinValue or > byte.MaxValue)
        {
            throw tensors.BadValue(zeroPointKey, $"it is {zeroPoint}; expected a quint8 zero point in [0, 255]");
        }
        return new ActivationQParams(scale, zeroPoint);
    }

    /// <summary>
    /// The scales a loaded file may hold: 2⁻³² to 2³². Within it every product the int8 kernels form from two or three
    /// scales (the bias scale <c>s_in·s_w</c>, the requantize multiplier <c>s_in·s_w/s_out</c>, pooling's and the
    /// quantize step's reciprocals) is a normal float32, so a file that passes runs; calibration gives scales of at
    /// least 2⁻²³ (PyTorch's eps) and, for activations, 1/255 of their float range.
    /// </summary>
    public const float MinScale = 1f / 4294967296f, MaxScale = 4294967296f;

    private static void RequireScale(FileTensors tensors, string key, string role, float scale, int index)
    {
        if (!(scale >= MinScale && scale <= MaxScale))
        {
            throw tensors.BadValue(key,
                $"{role}: value {index} is {scale}; expected a float32 scale in [2^-32, 2^32] (positive and finite, with every requantize multiplier the kernels derive from it a normal float32)");
        }
    }
}
