namespace QuantGen.IO.Qgm;

/// <summary>What a .qgm file holds, read without a model (<see cref="QgmFile.Inspect"/>).</summary>
/// <param name="FilePath">The file that was read.</param>
/// <param name="FormatVersion">The .qgm format version it was written in.</param>
/// <param name="Architecture">The full name of the model's class: construct one of these to load the file into.</param>
/// <param name="StructureSignature">The hash of the float model's module paths, types and parameter shapes.</param>
/// <param name="Mode">Static (Prepare, Calibrate, Convert) or dynamic (QuantizeDynamic).</param>
/// <param name="Substitutes">Every layer that does not run its float self, by path: <c>QuantizedConv2d</c>, <c>Identity</c> (fused away), …</param>
/// <param name="Fusions">Every convolution or linear layer that absorbed others, by path: <c>BatchNorm2d+ReLU</c>, <c>ReLU</c>, …</param>
/// <param name="TensorCount">The number of tensors stored.</param>
public sealed record QgmInfo(
    string FilePath,
    int FormatVersion,
    string Architecture,
    QgmMode Mode,
    string StructureSignature,
    IReadOnlyDictionary<string, string> Substitutes,
    IReadOnlyDictionary<string, string> Fusions,
    int TensorCount)
{
    public override string ToString() =>
        $"{Architecture}, {Mode.ToString().ToLowerInvariant()} int8 (.qgm format {FormatVersion}): " +
        $"{Substitutes.Count} substituted layers, {Fusions.Count} fused, {TensorCount} tensors";
}
