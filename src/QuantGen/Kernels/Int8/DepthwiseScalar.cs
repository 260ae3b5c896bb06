namespace QuantGen.Kernels.Int8;

/// <summary>The scalar depthwise pixel: the reference arithmetic over the inside taps. Also the vector paths' channel tail.</summary>
internal readonly unsafe struct DepthwiseScalar : IDepthwisePixel
{
    public static void Run(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y) => Channels(t, corner, window, y, 0);

    /// <summary>Channels from <paramref name="c0"/> to the end, one at a time.</summary>
    public static void Channels(in DepthwiseTables t, byte* corner, DepthwiseClass* window, byte* y, int c0)
    {
        long* inputs = t.TapInputs + window->TapStart;
        int* taps = t.TapWeights + window->TapStart;
        int* offsets = t.Offsets + window->Offsets, w = t.Weights;
        int count = window->TapCount, channels = t.Channels;
        for (int c = c0; c < channels; c++)
        {
            int acc = offsets[c];
            for (int i = 0; i < count; i++) acc += corner[inputs[i] + c] * w[taps[i] + c];
            y[c] = t.Epilogue.Scalar(acc, c);
        }
    }
}
