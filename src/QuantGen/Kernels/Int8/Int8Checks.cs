using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>Argument checks shared by the int8 layers, with messages that name the layer and the expected shape.</summary>
internal static class Int8Checks
{
    public static void QParams(WeightQParams weightQ, int outputs, ActivationQParams inputQ, ActivationQParams outputQ, string op)
    {
        ArgumentNullException.ThrowIfNull(weightQ);
        weightQ.CheckChannels(outputs, op);
        inputQ.Validate(nameof(inputQ));
        outputQ.Validate(nameof(outputQ));
    }

    public static void Length(int actual, long expected, string name, string op, string shape) =>
        ReferenceChecks.Length(actual, expected, name, op, shape);

    public static void Bias(ReadOnlySpan<int> bias, int outputs, string op)
    {
        if (!bias.IsEmpty) Length(bias.Length, outputs, "bias", op, $"[{outputs}]");
    }
}
