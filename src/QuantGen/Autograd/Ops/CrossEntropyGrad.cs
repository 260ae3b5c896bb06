namespace QuantGen.Autograd;

/// <summary>Gradient of the mean cross-entropy of logits [N, C]: d loss / d logits[n, c] = (softmax[n, c] − [c = label n]) / N.</summary>
internal static class CrossEntropyGrad
{
    public static Tensor Record(Tensor loss, Tensor logits, float[] logProbabilities, int[] labels) =>
        GradNode.Record(loss, "CrossEntropy", [logits], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            if (dx.IsEmpty) return;
            int rows = labels.Length, classes = logits.Size(1);
            float scale = dy[0] / rows;
            for (int n = 0; n < rows; n++)
            {
                var row = dx.Slice(n * classes, classes);
                for (int c = 0; c < classes; c++) row[c] += MathF.Exp(logProbabilities[n * classes + c]) * scale;
                row[labels[n]] -= scale;
            }
        });
}
