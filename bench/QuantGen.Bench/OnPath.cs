using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>Builds int8 layers on a chosen kernel path: a layer keeps the path current on the thread that built it.</summary>
internal static class OnPath
{
    /// <summary>What <paramref name="build"/> returns, its int8 layers built on <paramref name="path"/>; the thread's path is restored after.</summary>
    public static T Built<T>(Int8KernelPath path, Func<T> build)
    {
        Int8KernelPath? previous = Int8KernelPaths.ForcedPath;
        Int8KernelPaths.ForcedPath = path;
        try
        {
            return build();
        }
        finally
        {
            Int8KernelPaths.ForcedPath = previous;
        }
    }
}
