using QuantGen.Autograd;
using QuantGen.Kernels.Reference;
using QuantGen.Quantization;

namespace QuantGen.Nn;

/// <summary>
/// An activation applied value by value whose quint8 form is a 256-entry lookup table (PyTorch 1.13's kernels):
/// Hardswish, Hardsigmoid, Sigmoid, Tanh, LeakyReLU, ELU. In float it computes <see cref="Function"/> and records
/// <see cref="Derivative"/> for backward; on a quantized tensor it runs the int8 kernel, with the output qparams
/// PyTorch fixes for the op (<see cref="FixedOutput"/>) or else the input's, as <c>torch.nn.functional</c> does.
/// Eager convert gives the ops without fixed qparams an int8 form of their own with the observed output qparams.
/// </summary>
public abstract class PointwiseActivation : Layer
{
    /// <summary>The op's value in float.</summary>
    protected abstract float Function(float x);

    /// <summary><see cref="Function"/>, for the generated float pass.</summary>
    internal float Apply(float x) => Function(x);

    /// <summary>dy/dx at input x with output y.</summary>
    protected abstract float Derivative(float x, float y);

    /// <summary>True when the module was made with <c>inplace: true</c>: outside autograd it overwrites its float input.</summary>
    protected virtual bool WritesInPlace => false;

    /// <summary>The output qparams PyTorch fixes for the op on quint8, if it fixes them.</summary>
    internal virtual ActivationQParams? FixedOutput => null;

    /// <summary>The quint8 kernel: output byte by input byte, for these qparams.</summary>
    internal abstract byte[] Table(ActivationQParams input, ActivationQParams output);

    protected sealed override Tensor FloatForward(Tensor input)
    {
        if (input.IsQuantized)
        {
            var inputQ = new ActivationQParams(input.QuantScale, input.QuantZeroPoint);
            var outputQ = FixedOutput ?? inputQ;
            var values = GC.AllocateUninitializedArray<byte>(input.Length);
            EagerKernels.Lookup(input.QuantizedStorage, Table(inputQ, outputQ), values);
            return Tensor.QuantizedLike(input, values, outputQ.Scale, outputQ.ZeroPoint);
        }
        bool records = GradMode.Records(input);
        // While recording, in place writes a new tensor: the graph keeps the input.
        var output = WritesInPlace && !records ? input : Tensor.Uninitialized(input.Shape);
        float[] x = input.Data, y = output.Data;
        for (int i = 0; i < y.Length; i++) y[i] = Function(x[i]);
        if (records) return ElementwiseGrad.RecordPointwise(output, input, GetType().Name, Derivative);
        if (output == input) input.MarkModified();
        return output;
    }
}
