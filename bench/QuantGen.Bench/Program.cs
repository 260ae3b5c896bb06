using BenchmarkDotNet.Running;
using QuantGen.Bench;
using QuantGen.Kernels.Int8;

// dotnet run -c Release --project bench/QuantGen.Bench -- --filter '*'
// dotnet run -c Release --project bench/QuantGen.Bench -- --layers 1     (per-layer table, see LayerProfile; --layers 1 224 at ImageNet size)
// dotnet run -c Release --project bench/QuantGen.Bench -- --steps 64     (the generated pass step by step, see StepProfile; --steps 1 224 at ImageNet size)
// dotnet run -c Release --project bench/QuantGen.Bench -- --float-steps 1 (the generated float pass layer by layer at 28×28, see FloatStepProfile)
// dotnet run -c Release --project bench/QuantGen.Bench -- --compare-builds <dirA> <dirB> 28 1  (two builds' passes in one process, see BuildComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --compare-layer-builds <dirA> <dirB> pw 16 96 112 --batch 1 --turns 100  (one layer of two builds, call against call, see LayerBuildComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --against-ort 224 1   (QuantGen against ORT int8 pass against pass, see PeerComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --batch-against-singles 224 8 41 [first]  (a batch in one call against its images one call each, or its first image as often, see BatchAgainstSingles)
// dotnet run -c Release --project bench/QuantGen.Bench -- --first-passes 28 1  (a fresh process's first passes, see FirstPasses)
// dotnet run -c Release --project bench/QuantGen.Bench -- --ort-nodes 1 28 (ONNX Runtime's own per-node profile of an int8 fixture, 224×224 unless 28 is given, see OrtNodeProfile)
// dotnet run -c Release --project bench/QuantGen.Bench -- --compare-paths Avx512BW Avx2 224 1  (one pass on two kernel paths, pass against pass, see PathComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --compare-layer-paths Avx512BW Avx2 1 224  (each convolution on two paths, call against call, see LayerPathComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --compare-tiles Ymm4x32 1 224 conv.2  (each GEMM on its chosen tile and on another, call against call, see TileComparison)
// dotnet run -c Release --project bench/QuantGen.Bench -- --pairing 224  (which GEMMs take two K steps into one int16 sum, see PairingProfile)
// dotnet run -c Release --project bench/QuantGen.Bench -- --one-row-prefetch 3  (one-row GEMMs with and without PanelPrefetch, L2 flushed before each call, see OneRowPrefetch)
// Any of the Stopwatch modes above with `--path Avx2` last: QuantGen's int8 layers built on that narrower path (one of
// Int8KernelPath's names), to compare the paths a machine has; the BenchmarkDotNet classes take their paths as parameters.
if (args is [.., "--path", var pathName])
{
    Int8KernelPaths.ForcedPath = Enum.Parse<Int8KernelPath>(pathName);
    args = args[..^2];
}
// Any of the pass-against-pass modes with `--turns 200` last (before any --path): each turn a run of calls that long
// (see Interleaved.TurnMilliseconds), not one call.
if (args is [.., "--turns", var turnText])
{
    Interleaved.TurnMilliseconds = int.Parse(turnText, System.Globalization.CultureInfo.InvariantCulture);
    args = args[..^2];
}
// --compare-layer-builds with `--batch 64` last (before any --turns): the layer runs that many images a call.
if (args is [.., "--batch", var batchText])
{
    LayerBuildComparison.Batch = int.Parse(batchText, System.Globalization.CultureInfo.InvariantCulture);
    args = args[..^2];
}
if (args is ["--one-row-prefetch", ..])
{
    OneRowPrefetch.Run(Number(1, 3));
    return;
}
if (args is ["--layers", ..])
{
    LayerProfile.Run(Number(1, 1), Number(2, 28));
    return;
}
if (args is ["--steps", ..])
{
    StepProfile.Run(Number(1, 1), Number(2, 28));
    return;
}
if (args is ["--float-steps", ..])
{
    FloatStepProfile.Run(Number(1, 1));
    return;
}
if (args is ["--ort-nodes", ..])
{
    OrtNodeProfile.Run(batch: Number(1, 1), size: Number(2, 224));
    return;
}
if (args is ["--first-passes", ..])
{
    FirstPasses.Run(size: Number(1, 28), batch: Number(2, 1));
    return;
}
if (args is ["--compare-builds", var buildA, var buildB, ..])
{
    BuildComparison.Run(buildA, buildB, size: Number(3, 28), batch: Number(4, 1), pairs: Number(5, 401));
    return;
}
if (args is ["--compare-layer-builds", var layerBuildA, var layerBuildB, var layerKind, ..])
{
    LayerBuildComparison.Run(layerBuildA, layerBuildB, layerKind, Number(4, 16), Number(5, 96), Number(6, 112), pairs: Number(7, 40));
    return;
}
if (args is ["--against-ort", ..])
{
    PeerComparison.Run(size: Number(1, 28), batch: Number(2, 1), pairs: Number(3, 401));
    return;
}
if (args is ["--batch-against-singles", ..])
{
    bool firstOnly = args[^1] == "first";
    if (firstOnly) args = args[..^1];
    BatchAgainstSingles.Run(size: Number(1, 224), batch: Number(2, 8), pairs: Number(3, 41), firstOnly);
    return;
}
if (args is ["--compare-paths", var pathA, var pathB, ..])
{
    PathComparison.Run(Enum.Parse<Int8KernelPath>(pathA), Enum.Parse<Int8KernelPath>(pathB), size: Number(3, 28), batch: Number(4, 1), pairs: Number(5, 401));
    return;
}
if (args is ["--compare-layer-paths", var layerPathA, var layerPathB, ..])
{
    LayerPathComparison.Run(Enum.Parse<Int8KernelPath>(layerPathA), Enum.Parse<Int8KernelPath>(layerPathB), batch: Number(3, 1), size: Number(4, 28), pairs: Number(5, 201));
    return;
}
if (args is ["--compare-tiles", var tileName, ..])
{
    TileComparison.Run(Enum.Parse<GemmTile>(tileName), batch: Number(2, 1), size: Number(3, 224), filter: args.Length > 4 ? args[4] : "", pairs: 201);
    return;
}
if (args is ["--pairing", ..])
{
    PairingProfile.Run(size: Number(1, 28));
    return;
}
if (args is ["--conv-micro", ..])
{
    ConvMicro.Run();
    return;
}
#if GEMM_BEFORE
if (args is ["--gemm-before-after", ..])
{
    GemmBeforeAfterBenchmarks.Interleaved(args.Length > 1 ? args[1] : null);   // see bench/gemm-before.sh
    return;
}
#endif
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

// The mode's argument at index, or its default when it is not given.
int Number(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
