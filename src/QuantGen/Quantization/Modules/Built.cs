namespace QuantGen.Quantization;

/// <summary>
/// A converted layer's compiled form for the inputs it last saw: built on first use and whenever the inputs change,
/// published as one reference so that a caller sees a key with its own kernels.
/// </summary>
internal sealed class Built<TKey, TKernel>(TKey key, TKernel kernel)
{
    public TKey Key { get; } = key;

    public TKernel Kernel { get; } = kernel;
}
