using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Reference;

/// <summary>
/// The shape in a length check's message, formatted only when the check fails: kernels check every call, and
/// an eagerly built message would allocate on each one (generated int8 forward passes promise no allocation).
/// </summary>
[InterpolatedStringHandler]
internal ref struct ShapeText
{
    private DefaultInterpolatedStringHandler inner;

    public ShapeText(int literalLength, int formattedCount, int actual, long expected, out bool failing)
    {
        failing = actual != expected;
        inner = failing ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string text) => inner.AppendLiteral(text);

    public void AppendFormatted<T>(T value) => inner.AppendFormatted(value);

    public string ToStringAndClear() => inner.ToStringAndClear();
}
