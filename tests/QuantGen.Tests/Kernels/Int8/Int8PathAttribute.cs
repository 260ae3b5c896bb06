using System.Reflection;
using QuantGen.Kernels.Int8;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// One theory row per int8 kernel path. A path this machine lacks is reported as Skipped, with a reason that names
/// it, in the test summary — never silently passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class Int8PathAttribute(Int8KernelPath path) : DataAttribute
{
    public override string? Skip
    {
        get => Int8KernelPaths.IsSupported(path) ? null : $"NOT RUN: the {path} int8 kernel path is not supported on this machine (best here: {Int8KernelPaths.Best}).";
        set { }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[path]];
}

public static class Int8Paths
{
    /// <summary>Forces <paramref name="path"/> for layers built on this thread until disposed.</summary>
    public static IDisposable Force(Int8KernelPath path, ITestOutputHelper output)
    {
        IDisposable restore = TestSwitch.Set(() => Int8KernelPaths.ForcedPath, value => Int8KernelPaths.ForcedPath = value, path);
        output.WriteLine($"Running on the {path} int8 path.");
        return restore;
    }

    /// <summary>Forces <paramref name="tile"/> for GEMMs built on this thread until disposed.</summary>
    internal static IDisposable ForceTile(GemmTile tile) => TestSwitch.Set(() => QGemm.ForcedTile, value => QGemm.ForcedTile = value, tile);

    /// <summary>
    /// Turns the one-row GEMMs' prefetch on or off until disposed. The switch is global, not per thread: tests running
    /// beside this one may take either setting, which is safe because no result depends on it.
    /// </summary>
    internal static IDisposable Prefetch(bool enabled) => TestSwitch.Set(() => PanelPrefetch.Enabled, value => PanelPrefetch.Enabled = value, enabled);
}
