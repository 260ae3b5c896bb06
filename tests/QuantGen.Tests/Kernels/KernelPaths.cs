using System.Reflection;
using QuantGen.Kernels.Float;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace QuantGen.Tests.Kernels;

/// <summary>
/// One theory row per float kernel path. A path this machine lacks is reported as Skipped, with a reason that
/// names it, in the test summary — never silently passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class FloatPathAttribute(FloatKernelPath path) : DataAttribute
{
    public override string? Skip
    {
        get => FloatKernelPaths.IsSupported(path) ? null : $"NOT RUN: the {path} float kernel path is not supported on this machine (best here: {FloatKernelPaths.Best}).";
        set { }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[path]];
}

public static class KernelPaths
{
    /// <summary>Forces <paramref name="path"/> on this thread until disposed.</summary>
    public static IDisposable Force(FloatKernelPath path, ITestOutputHelper output)
    {
        IDisposable restore = TestSwitch.Set(() => FloatKernelPaths.ForcedPath, value => FloatKernelPaths.ForcedPath = value, path);
        output.WriteLine($"Running on the {path} path.");
        return restore;
    }
}
