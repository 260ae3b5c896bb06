using System.Runtime.CompilerServices;

namespace QuantGen.Kernels;

/// <summary>How a kernel method whose loop runs on every pass is compiled: <c>[MethodImpl(HotLoop.Compiled)]</c>.</summary>
/// <remarks>
/// <para>Fully optimized at its first call (<see cref="MethodImplOptions.AggressiveOptimization"/>): under tiering and
/// dynamic PGO a method with a loop starts as instrumented tier-0 code, and a fresh process's first 28×28 batch-1
/// passes ran 7–9 times slower for their first 200 ms, a service's first requests (<c>--first-passes</c>, bench/RESULTS.md).
/// The kernels gain nothing from a profile: their shapes are arguments, and they make no virtual calls.</para>
/// <para>And never inlined (<see cref="MethodImplOptions.NoInlining"/>), since the attribute holds only for the method's
/// own compilation: inlined into a tiered caller, a kernel's body is compiled with the caller's inlining budget, and
/// when that ran out its own <c>AggressiveInlining</c> steps stayed calls to tier-0 code: marked for optimization alone,
/// the residual add was inlined so and ran 60 times slower in most processes (Zen 3, bench/RESULTS.md). A call per
/// kernel costs nothing beside its loop.</para>
/// <para>Compiled at its first call, such a method may be compiled before the classes whose static fields it reads are
/// initialized, and the JIT then keeps each read's initialization check, a possible call, where the read is: read in a
/// K loop, <see cref="Int8.PanelPrefetch"/>'s switch kept a one-row GEMM's accumulators on the stack (2.5–7.6 times its
/// time on AVX-VNNI). Read such fields before the loop.</para>
/// </remarks>
internal static class HotLoop
{
    public const MethodImplOptions Compiled = MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization;
}
