using QuantGen.Kernels.Float;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

/// <summary>
/// Runs a test on each float kernel path. A path this machine lacks is not silently passed: the test writes
/// a line naming it to its output (visible with <c>--logger "console;verbosity=detailed"</c> and in TRX) and stops.
/// </summary>
public static class KernelPaths
{
    public static TheoryData<FloatKernelPath> All => new(Enum.GetValues<FloatKernelPath>());

    /// <summary>Forces <paramref name="path"/> on this thread until disposed; null when the machine lacks it.</summary>
    public static IDisposable? Force(FloatKernelPath path, ITestOutputHelper output)
    {
        if (!FloatKernelPaths.IsSupported(path))
        {
            output.WriteLine($"NOT RUN: the {path} float kernel path is not supported on this machine (best here: {FloatKernelPaths.Best}).");
            return null;
        }
        FloatKernelPaths.ForcedPath = path;
        output.WriteLine($"Running on the {path} path.");
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => FloatKernelPaths.ForcedPath = null;
    }
}
