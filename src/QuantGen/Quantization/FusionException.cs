namespace QuantGen.Quantization;

/// <summary>A list of modules to fuse does not name a supported pattern of modules in the model.</summary>
public sealed class FusionException(string message) : QuantGenException(message);
