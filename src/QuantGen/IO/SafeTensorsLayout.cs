namespace QuantGen.IO;

/// <summary>
/// Checks that a header's entries tile the data buffer exactly: taken in offset order, each tensor begins
/// where the previous one ended and the last ends at the end of the buffer. This is the reference
/// implementation's rule; it rules out overlapping tensors and bytes that belong to no tensor.
/// </summary>
internal static class SafeTensorsLayout
{
    public static void CheckCoverage(IReadOnlyList<SafeTensorsEntry> entries, long dataLength, string? source)
    {
        // Stable order by (begin, end), so empty tensors sit before a tensor that starts at the same byte.
        var byOffset = entries.OrderBy(e => e.Begin).ThenBy(e => e.End);

        long expectedBegin = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry entry in byOffset)
        {
            if (entry.Begin > expectedBegin)
            {
                throw new SafeTensorsException(source, entry.Name,
                    $"data_offsets {entry.OffsetsText} leave bytes [{expectedBegin}, {entry.Begin}) of the data buffer unused{After(previous)}; " +
                    $"expected the tensor to begin at {expectedBegin}, as tensors cover the buffer without gaps");
            }
            if (entry.Begin < expectedBegin)
            {
                throw new SafeTensorsException(source, entry.Name,
                    $"data_offsets {entry.OffsetsText} overlap tensor '{previous!.Value.Name}' at {previous.Value.OffsetsText}; " +
                    $"expected the tensor to begin at {expectedBegin}, as tensors do not share bytes");
            }
            expectedBegin = entry.End;
            previous = entry;
        }

        if (expectedBegin != dataLength)
        {
            throw new SafeTensorsException(source, null,
                $"the tensors end at byte {expectedBegin} of the data buffer, but it holds {dataLength} bytes; " +
                $"expected no trailing bytes ({dataLength - expectedBegin} belong to no tensor)");
        }
    }

    private static string After(SafeTensorsEntry? previous) =>
        previous is { } p ? $" after tensor '{p.Name}' at {p.OffsetsText}" : "";
}
