using System.Numerics;
using System.Reflection;
using System.Runtime.Loader;
using QuantGen.Kernels.Int8;

namespace QuantGen.Bench;

/// <summary>
/// Two builds of this bench in one process, their generated int8 passes timed pass against pass:
/// <c>--compare-builds &lt;dirA&gt; &lt;dirB&gt; [28|224] [batch] [pairs]</c>, each directory a build output of
/// <c>bench/QuantGen.Bench</c> (e.g. <c>bin/Release/net10.0</c> of a second worktree at another commit).
/// </summary>
/// <remarks>
/// <para>Why: on a shared host the same binary's pass moved 10–20% between processes a minute apart, so comparing two
/// commits process against process could not resolve the 1–3% a kernel change is worth. Here each build's QuantGen,
/// generated models and bench load into an <see cref="AssemblyLoadContext"/> of their own, both models are built as
/// <see cref="Int8Models"/> builds them (in that build's own code), and passes alternate, so both see the same machine
/// from moment to moment. The ratio B / A is the median over pairs; no kernel needs a switch for it.</para>
/// <para>With <c>--path</c> last, both builds' layers take that path (<see cref="ForceHostPath"/>).</para>
/// <para>Each pass's logits are compared between the builds first: a change meant to keep the bytes is checked at the
/// same time (a difference is reported, not hidden).</para>
/// </remarks>
internal static class BuildComparison
{
    private delegate void Pass(ReadOnlySpan<float> input, Span<float> output, int batch);

    public static void Run(string directoryA, string directoryB, int size, int batch, int pairs)
    {
        (float[] images, int outputs) = Int8Models.Images(size, batch);
        Pass a = Load(directoryA, size), b = Load(directoryB, size);
        float[] logitsA = new float[batch * outputs], logitsB = new float[batch * outputs];
        a(images, logitsA, batch);
        b(images, logitsB, batch);
        ReportDifferences("Logits", "values", logitsA, logitsB);

        var (timesA, timesB, ratios) = Interleaved.Run(() => a(images, logitsA, batch), () => b(images, logitsB, batch), pairs);
        Console.WriteLine($"{(size == 224 ? "224×224" : "28×28")}, batch {batch}, path {Int8KernelPaths.Current}, {pairs} pairs of passes, alternating:");
        ReportTimes(directoryA, directoryB, timesA, timesB, ratios);
    }

    /// <summary>One line: whether two builds' outputs are equal, else how many of them differ.</summary>
    public static void ReportDifferences<T>(string what, string unit, ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : IEqualityOperators<T, T, bool>
    {
        int differing = 0;
        for (int i = 0; i < a.Length; i++) differing += a[i] == b[i] ? 0 : 1;
        Console.WriteLine(differing == 0
            ? $"{what}: bit-equal ({a.Length} {unit})."
            : $"{what}: {differing} of {a.Length} {unit} differ between the builds.");
    }

    /// <summary>Each build's median time and the median of the pairs' ratios, B / A, from <see cref="Interleaved.Run"/>.</summary>
    public static void ReportTimes(string directoryA, string directoryB, double[] timesA, double[] timesB, double[] ratios)
    {
        Console.WriteLine($"  A {directoryA}: median {Interleaved.Median(timesA) * 1e6:F1} µs");
        Console.WriteLine($"  B {directoryB}: median {Interleaved.Median(timesB) * 1e6:F1} µs");
        Console.WriteLine($"  B / A: median of the pairs' ratios {Interleaved.Summary(ratios)}");
    }

    /// <summary>One build's model, made by that build's <c>Int8Models</c>, and its <c>Forward(input, output, batch)</c>.</summary>
    private static Pass Load(string directory, int size)
    {
        Assembly assembly = LoadBench(directory);
        Type models = assembly.GetType("QuantGen.Bench.Int8Models", throwOnError: true)!;
        string factory = size == 224 ? "MobileNetV2ImageNet" : "MobileNetV2";
        object model = models.GetMethod(factory, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)!.Invoke(null, null)!;
        MethodInfo forward = model.GetType().GetMethod("Forward", [typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int)])!;
        return forward.CreateDelegate<Pass>(model);
    }

    /// <summary>The bench of the build in <paramref name="directory"/>, in a load context of its own with that build's QuantGen.</summary>
    public static Assembly LoadBench(string directory)
    {
        string bench = Path.Combine(Path.GetFullPath(directory), "QuantGen.Bench.dll");
        if (!File.Exists(bench)) throw new FileNotFoundException($"'{directory}' holds no build of the bench (QuantGen.Bench.dll).", bench);
        var context = new BuildContext(bench);
        Assembly assembly = context.LoadFromAssemblyPath(bench);
        ForceHostPath(context);
        return assembly;
    }

    /// <summary>
    /// The host's <c>--path</c>, if any, forced on this thread in the build's own QuantGen as well: each build loads its
    /// own copy of the library, whose switch the host's does not reach, so without this both builds ran their best path.
    /// </summary>
    private static void ForceHostPath(AssemblyLoadContext context)
    {
        if (Int8KernelPaths.ForcedPath is not { } path) return;
        Assembly quantGen = context.LoadFromAssemblyName(typeof(Int8KernelPaths).Assembly.GetName());
        Type paths = quantGen.GetType(typeof(Int8KernelPaths).FullName!, throwOnError: true)!;
        Type kind = quantGen.GetType(typeof(Int8KernelPath).FullName!, throwOnError: true)!;
        PropertyInfo forced = paths.GetProperty(nameof(Int8KernelPaths.ForcedPath), BindingFlags.NonPublic | BindingFlags.Static)!;
        forced.SetValue(null, Enum.Parse(kind, path.ToString()));
    }

    /// <summary>A build's own assemblies from its directory; the framework's are shared with the host.</summary>
    private sealed class BuildContext(string mainAssembly) : AssemblyLoadContext(Path.GetFileName(Path.GetDirectoryName(mainAssembly)))
    {
        private readonly AssemblyDependencyResolver resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName name) =>
            resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string name) =>
            resolver.ResolveUnmanagedDllToPath(name) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
