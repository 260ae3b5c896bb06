using System.Buffers;
using QuantGen.IO;
using QuantGen.Models;

namespace InferenceService;

/// <summary>
/// The served model: one generated <see cref="MobileNetV2.Int8"/>, loaded once at start and shared by every request.
/// Each call runs <c>Int8.Forward</c> directly on that one instance, so <see cref="Classify"/> is as safe under
/// concurrent callers as <c>MobileNetV2.Int8.Forward</c> is; it adds no lock and no state of its own.
/// </summary>
public sealed class DigitClassifier(MobileNetV2.Int8 model, ModelSummary summary)
{
    /// <summary>Grey pixels of one image, row by row: 28 × 28.</summary>
    public const int ImageBytes = MobileNetV2.InputLength;

    public const int Classes = MobileNetV2.OutputLength;

    public ModelSummary Summary { get; } = summary;

    /// <summary>
    /// Classifies <paramref name="pixels"/>, whole 28×28 images of one grey byte per pixel (0 black, 255 white, as
    /// MNIST stores them), normalised as in training.
    /// </summary>
    public Prediction[] Classify(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length == 0 || pixels.Length % ImageBytes != 0)
        {
            throw new ArgumentException($"Expected whole images of {ImageBytes} bytes; got {pixels.Length}.", nameof(pixels));
        }
        int count = pixels.Length / ImageBytes;
        float[] input = ArrayPool<float>.Shared.Rent(pixels.Length);
        float[] logits = ArrayPool<float>.Shared.Rent(count * Classes);
        try
        {
            for (int i = 0; i < pixels.Length; i++) input[i] = MnistSet.Normalize(pixels[i]);
            if (count == 1) model.Forward(input.AsSpan(0, ImageBytes), logits.AsSpan(0, Classes));
            else model.Forward(input.AsSpan(0, pixels.Length), logits.AsSpan(0, count * Classes), count);
            var predictions = new Prediction[count];
            for (int n = 0; n < count; n++) predictions[n] = Prediction.FromLogits(logits.AsSpan(n * Classes, Classes));
            return predictions;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(logits);
        }
    }
}

/// <summary>One image's answer: the most probable class and every class's probability (softmax of the logits).</summary>
public sealed record Prediction(int Class, float[] Probabilities)
{
    /// <summary>Softmax in double, shifted by the largest logit; the class is the first of the largest logits, as argmax.</summary>
    public static Prediction FromLogits(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int c = 1; c < logits.Length; c++) if (logits[c] > logits[best]) best = c;
        double sum = 0;
        var exp = new double[logits.Length];
        for (int c = 0; c < logits.Length; c++) sum += exp[c] = Math.Exp(logits[c] - (double)logits[best]);
        var probabilities = new float[logits.Length];
        for (int c = 0; c < logits.Length; c++) probabilities[c] = (float)(exp[c] / sum);
        return new Prediction(best, probabilities);
    }
}
