using QuantGen;
using QuantGen.Models;

namespace MnistQuantization;

/// <summary>The generated int8 forward pass as a row's predictor: a batch tensor in, a logits tensor out.</summary>
internal static class Generated
{
    /// <summary>
    /// One <see cref="MobileNetV2.Int8"/> per thread (each runs one call at a time), the first being
    /// <paramref name="compiled"/>; the others are its forks, over the same packed weights.
    /// </summary>
    public static Func<Tensor, Tensor> Predict(MobileNetV2.Int8 compiled)
    {
        MobileNetV2.Int8? first = compiled;
        var perThread = new ThreadLocal<MobileNetV2.Int8>(() => Interlocked.Exchange(ref first, null) ?? compiled.Fork());
        return images =>
        {
            int batch = images.Size(0);
            var logits = new Tensor(new Shape(batch, MobileNetV2.OutputLength));
            perThread.Value!.Forward(images.Data, logits.Data, batch);
            return logits;
        };
    }
}
