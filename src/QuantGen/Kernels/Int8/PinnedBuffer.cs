using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// An array on the pinned object heap and a raw pointer to it, so kernels can hold pointers without <c>fixed</c>.
/// Layers own their packed weights and scratch this way; nothing is allocated per call once a buffer has grown
/// to the largest request.
/// </summary>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private T[] array;

    public PinnedBuffer(int length)
    {
        array = GC.AllocateArray<T>(length, pinned: true);
        Pointer = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
    }

    public T* Pointer { get; private set; }

    public int Length => array.Length;

    public Span<T> Span => array;

    /// <summary>At least <paramref name="length"/> elements; contents are lost when it grows.</summary>
    public T* Ensure(int length)
    {
        if (array.Length < length)
        {
            array = GC.AllocateArray<T>(length, pinned: true);
            Pointer = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        }
        return Pointer;
    }
}
