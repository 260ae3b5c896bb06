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
        Int8KernelPaths.ForcedPath = path;
        output.WriteLine($"Running on the {path} int8 path.");
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => Int8KernelPaths.ForcedPath = null;
    }
}
