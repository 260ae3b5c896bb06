namespace QuantGen.Kernels.Int8;

/// <summary>
/// An array on the pinned object heap and a raw pointer to it, so kernels can hold pointers without <c>fixed</c>.
/// Layers own their packed weights and scratch this way; nothing is allocated per call once a buffer has grown
/// to the largest request. The pointer is on a cache line's start (<see cref="CacheLines"/>).
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private T[] array;   // holds the pinned array that pointer points into
    private T* pointer;

    public PinnedBuffer(int length)
    {
        array = CacheLines.Allocate(length, out pointer);
        Length = length;
    }

    public T* Pointer => pointer;

    public int Length { get; private set; }

    public Span<T> Span => new(Pointer, Length);

    /// <summary>At least <paramref name="length"/> elements; contents are lost when it grows.</summary>
    public T* Ensure(int length)
    {
        if (Length < length)
        {
            array = CacheLines.Allocate(length, out pointer);
            Length = length;
        }
        return Pointer;
    }
}
