using QuantGen.Kernels;
using QuantGen.Kernels.Float;

namespace QuantGen.Autograd;

/// <summary>Gradients of a transposed convolution: the same scatter read the other way (see <see cref="FloatConvTranspose2d"/>).</summary>
internal static class ConvTransposeGrad
{
    public static Tensor Record(Tensor output, Tensor input, Tensor weight, Tensor? bias, ConvTransposeGeometry geometry) =>
        GradNode.Record(output, "ConvTranspose2d", [input, weight, bias], (dy, inputs) =>
        {
            if (inputs.ArrayFor(0) is { } dx) FloatConvTranspose2d.InputGradient(geometry, dy, weight.Data, dx);
            if (inputs.ArrayFor(1) is { } dw) FloatConvTranspose2d.WeightGradient(geometry, input.Data, dy, dw);
            var db = inputs.For(2);
            if (!db.IsEmpty) Conv2dGrad.BiasGradient(geometry.Batch, geometry.OutChannels, geometry.OutHeight * geometry.OutWidth, dy, db);
        });
}
