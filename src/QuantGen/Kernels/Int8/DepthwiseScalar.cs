namespace QuantGen.Kernels.Int8;

/// <summary>The scalar depthwise pixel: the reference arithmetic over the inside taps. Also the vector paths' channel tail.</summary>
internal readonly unsafe struct DepthwiseScalar : IDepthwisePixel
{
    public static void Run(QDepthwise layer, byte* corner, DepthwiseClass* window, byte* y) => Channels(layer, corner, window, y, 0);

    /// <summary>Channels from <paramref name="c0"/> to the end, one at a time.</summary>
    public static void Channels(QDepthwise layer, byte* corner, DepthwiseClass* window, byte* y, int c0)
    {
        long* inputs = layer.Windows.TapInputs + window->TapStart;
        int* taps = layer.Windows.TapWeights + window->TapStart;
        int* offsets = layer.Offsets + window->Offsets, w = layer.Weights;
        int count = window->TapCount, channels = layer.Channels;
        Epilogue e = layer.Epilogue;
        for (int c = c0; c < channels; c++)
        {
            int acc = offsets[c];
            for (int i = 0; i < count; i++) acc += corner[inputs[i] + c] * w[taps[i] + c];
            y[c] = e.Scalar(acc, c);
        }
    }
}
