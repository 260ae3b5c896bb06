using QuantGen;
using QuantGen.Models;

namespace MnistQuantization;

/// <summary>The generated int8 forward pass as a row's predictor: a batch tensor in, a logits tensor out.</summary>
internal static class Generated
{
    /// <summary>
    /// One <see cref="MobileNetV2.Int8"/> per thread (each owns its arena), the first being
    /// <paramref name="compiled"/>; the others are rebuilt from the same converted model.
    /// </summary>
    public static Func<Tensor, Tensor> Predict(MobileNetV2 converted, MobileNetV2.Int8 compiled)
    {
        var first = compiled;
        var perThread = new ThreadLocal<MobileNetV2.Int8>(() => Interlocked.Exchange(ref first, null) ?? MobileNetV2.Int8.From(converted));
        return images =>
        {
            int batch = images.Size(0);
            var logits = new Tensor(new Shape(batch, MobileNetV2.OutputLength));
            perThread.Value!.Forward(images.Data, logits.Data, batch);
            return logits;
        };
    }
}
