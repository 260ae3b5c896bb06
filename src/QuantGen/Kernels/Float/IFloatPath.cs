namespace QuantGen.Kernels.Float;

/// <summary>
/// One <see cref="FloatKernelPath"/>'s vector operations and its register-blocked GEMM tile. Kernels are
/// written once, generic over this interface; each path is a struct, so the JIT compiles a copy per path
/// with every call inlined.
/// </summary>
/// <typeparam name="TVector">The path's register type (<c>Vector512&lt;float&gt;</c> … <c>float</c>).</typeparam>
internal unsafe interface IFloatPath<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Broadcast(float value);

    static abstract TVector Load(float* source);

    static abstract void Store(float* destination, TVector value);

    /// <summary><paramref name="a"/>·<paramref name="b"/> + <paramref name="addend"/>, fused where the path has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary><paramref name="a"/>·<paramref name="b"/>, rounded: kept apart from any add (no contraction into FMA).</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    static abstract TVector Add(TVector a, TVector b);

    static abstract float Sum(TVector value);

    /// <summary>
    /// One <see cref="Panels.Width"/>×<see cref="Panels.Width"/> tile of C from a packed A panel (k steps of 16
    /// rows) and a packed B panel (k steps of 16 columns). C starts from itself when <paramref name="loadC"/>,
    /// else from <paramref name="rowBias"/> (16 values) or zero when that is null.
    /// </summary>
    static abstract void Tile(float* a, float* b, int k, float* c, nint ldc, float* rowBias, bool loadC);
}
