namespace QuantGen.IO.Qgm;

/// <summary>
/// The names a .qgm file is made of: the <c>__metadata__</c> keys of its safetensors container, and the suffixes of
/// the tensors a converted layer stores under its dotted path, chosen to read like a PyTorch quantized state dict.
/// </summary>
internal static class QgmFormat
{
    /// <summary>
    /// The format this QuantGen writes; raise it when the layout changes. Version 2 added the transposed convolution,
    /// the standalone BatchNorm2d and layers kept in float (<see cref="SubstituteKind"/>), so that a reader of version 1 refuses such a file by its
    /// version rather than by an unknown substitute.
    /// </summary>
    public const int Version = 2;

    /// <summary>The oldest format this QuantGen reads: version 1 is version 2 without its two substitutes.</summary>
    public const int OldestReadable = 1;

    /// <summary>The value of <see cref="FormatKey"/> that tells a .qgm file from any other safetensors file.</summary>
    public const string Marker = "quantgen.qgm";

    public const string FormatKey = "format";
    public const string VersionKey = "format_version";

    /// <summary>The full name of the model's class (<c>QuantGen.Models.MobileNetV2</c>).</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>A hash of the float model's module paths, types and parameter shapes (<see cref="StructureSignature"/>).</summary>
    public const string StructureKey = "structure";

    public const string ModeKey = "mode";

    /// <summary>A JSON object: the path of every layer that has a substitute → its kind (<see cref="SubstituteKind"/>).</summary>
    public const string SubstitutesKey = "substitutes";

    /// <summary>A JSON object: the path of every fused convolution or linear layer → what it absorbed (<see cref="FusionRecord"/>).</summary>
    public const string FusionsKey = "fusions";

    /// <summary>A SHA-256 of the other metadata and every tensor (<see cref="QgmChecksum"/>): corruption is found, not run.</summary>
    public const string ChecksumKey = "checksum";

    // Tensor names under a layer's path.
    public const string Weight = "weight";
    public const string WeightScale = "weight_scale";
    public const string WeightZeroPoint = "weight_zero_point";
    public const string Bias = "bias";
    public const string Scale = "scale";
    public const string ZeroPoint = "zero_point";

    public static string Key(string layerPath, string name) => layerPath.Length == 0 ? name : $"{layerPath}.{name}";
}
