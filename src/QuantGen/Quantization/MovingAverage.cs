namespace QuantGen.Quantization;

/// <summary>The moving-average observers' update, in PyTorch's float32 order.</summary>
internal static class MovingAverage
{
    /// <summary><c>running + c · (batch − running)</c>: a subtraction, a product and a sum, each rounded to float32.</summary>
    public static float Step(float running, float batch, float averagingConstant) =>
        running + averagingConstant * (batch - running);
}
