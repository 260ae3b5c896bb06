using QuantGen.Autograd;

namespace QuantGen.Nn;

/// <summary>The float forward of an element-wise activation with no int8 form (SiLU, GELU), with its gradient recorded.</summary>
internal static class FloatActivation
{
    public static Tensor Apply(Tensor input, bool inplace, string op, Func<float, float> function, Func<float, float, float> derivative)
    {
        bool records = GradMode.Records(input);
        // While recording, in place writes a new tensor: the graph keeps the input.
        var output = inplace && !records ? input : Tensor.Uninitialized(input.Shape);
        float[] x = input.Data, y = output.Data;
        for (int i = 0; i < y.Length; i++) y[i] = function(x[i]);
        if (records) return ElementwiseGrad.RecordPointwise(output, input, op, derivative);
        if (output == input) input.MarkModified();
        return output;
    }
}
