namespace QuantGen.Kernels.Reference;

/// <summary>Rows [Top, Bottom) × columns [Left, Right) of one quint8 plane: the input pixels an average pools.</summary>
internal readonly record struct PlaneWindow(int Top, int Bottom, int Left, int Right)
{
    public int Count => (Bottom - Top) * (Right - Left);

    /// <summary><c>Σ (x − zeroPoint)</c> over the window; exact, since a window never holds 2²³ pixels.</summary>
    public int SumMinusZeroPoint(ReadOnlySpan<byte> plane, int width, int zeroPoint)
    {
        int sum = 0;
        for (int r = Top; r < Bottom; r++)
        {
            for (int c = Left; c < Right; c++) sum += plane[r * width + c] - zeroPoint;
        }
        return sum;
    }
}
