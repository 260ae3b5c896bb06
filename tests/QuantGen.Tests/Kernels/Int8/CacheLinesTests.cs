using System.Runtime.InteropServices;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// <see cref="CacheLines"/> and <see cref="PinnedBuffer{T}"/>: every buffer the kernels and the passes' arenas use starts
/// a 64-byte line, and holds the length asked for from there.
/// </summary>
public sealed unsafe class CacheLinesTests
{
    [Fact]
    public void ArraysStartALineAndHoldTheLengthFromThere()
    {
        for (int length = 0; length < 300; length += 7)
        {
            Check<byte>(length);
            Check<short>(length);
            Check<int>(length);
            Check<float>(length);
            Check<long>(length);
        }
    }

    [Fact]
    public void ElementsWhoseSizeDoesNotDivideALineStartAtTheArraysStart()
    {
        var array = CacheLines.Allocate<Triple>(5, out int start);
        Assert.Equal(0, start);
        Assert.True(array.Length >= 5);
    }

    [Fact]
    public void PinnedBuffersKeepTheirLineWhenTheyGrow()
    {
        var buffer = new PinnedBuffer<int>(3);
        Assert.Equal(0, (nint)buffer.Pointer % CacheLines.Size);
        Assert.Equal(3, buffer.Span.Length);
        buffer.Span.Fill(7);
        int* grown = buffer.Ensure(1000);
        Assert.Equal(0, (nint)grown % CacheLines.Size);
        Assert.Equal(1000, buffer.Length);
        Assert.True(grown == buffer.Pointer);
        Assert.True(buffer.Ensure(10) == grown);   // no smaller request reallocates
    }

    private static void Check<T>(int length)
        where T : unmanaged
    {
        T[] array = CacheLines.Allocate<T>(length, out int start);
        Assert.True(start + length <= array.Length, $"{typeof(T).Name}[{length}]: start {start}, array {array.Length}");
        fixed (T* first = &MemoryMarshal.GetArrayDataReference(array))
        {
            Assert.Equal(0, (nint)(first + start) % CacheLines.Size);
        }
        CacheLines.Allocate(length, out T* pointer);
        Assert.Equal(0, (nint)pointer % CacheLines.Size);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Triple(int A, int B, int C);
}
